import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

/** A fresh database where only `chatgpt` is enabled and uncapped. */
async function chatgptOnly(): Promise<TestDatabase> {
  const t = await createTestDatabase();
  await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
  return t;
}

/** Waits until the worker holds a run. */
const untilClaimed = (t: TestDatabase) =>
  waitFor(
    () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'running'`),
    20_000,
    'a claim',
  );

async function count(t: TestDatabase, query: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(query, params);
  return Number(rows[0]?.n ?? 0);
}

describe('worker processes', () => {
  test('two workers, 200 runs: every run done with exactly one response', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'sleep:5 #' || i FROM generate_series(1, 200) AS i`,
      );
      const workers = [1, 2].map((id) =>
        spawnWorker(
          [
            '--ai-source',
            'chatgpt',
            '--worker-id',
            String(id),
            '--concurrency',
            '3',
            '--once',
            '--no-maintenance',
          ],
          {
            DATABASE_URL: t.url,
          },
        ),
      );
      const codes = await Promise.all(workers.map((w) => w.exited));
      assert.deepEqual(codes, [0, 0], workers.map((w) => w.stderr()).join('\n'));
      assert.equal(await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`), 200);
      assert.equal(await count(t, 'SELECT count(*) AS n FROM responses'), 200);
      assert.equal(await count(t, 'SELECT count(DISTINCT run_id) AS n FROM responses'), 200);
      assert.equal(await count(t, `SELECT count(*) AS n FROM workers WHERE stopped_at IS NOT NULL`), 2);
      // The workers rows carry the locked_by their claims carried: `avt status` joins on it.
      assert.equal(
        await count(
          t,
          `SELECT count(*) AS n FROM run_attempts a
           WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.locked_by = a.worker)`,
        ),
        0,
      );
    } finally {
      await t.drop();
    }
  });

  test('--max-jobs stops after exactly that many jobs, however many slots claim at once', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'sleep:30 #' || i FROM generate_series(1, 20) AS i`,
      );
      const worker = spawnWorker(
        [
          '--ai-source',
          'chatgpt',
          '--worker-id',
          '1',
          '--concurrency',
          '4',
          '--max-jobs',
          '5',
          '--no-maintenance',
        ],
        { DATABASE_URL: t.url },
      );
      assert.equal(await worker.exited, 0, worker.stderr());
      assert.equal(await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`), 5);
      assert.equal(await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'queued'`), 15);
    } finally {
      await t.drop();
    }
  });

  test('a slot whose own commit holds the last max_concurrency slot claims again once it commits, not a poll later', async () => {
    const t = await chatgptOnly();
    try {
      // One lease slot: the slot claims its next run while its last result commits, which finds the source
      // full. Were it to wait for the poll (ten minutes here), the second run would not start in time.
      await t.pool.query(`UPDATE ai_sources SET max_concurrency = 1 WHERE name = 'chatgpt'`);
      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'answer #' || i FROM generate_series(1, 20) AS i`,
      );
      const worker = spawnWorker(
        ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--poll-interval-ms', '600000'],
        { DATABASE_URL: t.url },
      );
      try {
        await waitFor(
          async () => (await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`)) === 20,
          30_000,
          'all 20 runs done',
        );
      } finally {
        worker.child.kill('SIGTERM');
      }
      assert.equal(await worker.exited, 0, worker.stderr());
      assert.equal(await count(t, 'SELECT count(DISTINCT run_id) AS n FROM responses'), 20);
    } finally {
      await t.drop();
    }
  });

  test('SIGTERM mid-job: the job finishes within the grace period, exit code 0, nothing left running', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('sleep:1500')`);
      const worker = spawnWorker(
        ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--shutdown-grace-seconds', '20'],
        { DATABASE_URL: t.url },
      );
      await untilClaimed(t);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      assert.equal(await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`), 1);
      assert.equal(await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'running'`), 0);
      assert.equal(await count(t, 'SELECT count(*) AS n FROM responses'), 1);
    } finally {
      await t.drop();
    }
  });

  test('SIGTERM with a job that outlives the grace period: the run is released, attempt not charged, exit 0', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('hang')`);
      const worker = spawnWorker(
        ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--shutdown-grace-seconds', '1'],
        { DATABASE_URL: t.url },
      );
      await untilClaimed(t);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      const { rows } = await t.pool.query(
        `SELECT r.status, r.attempts, r.lease_token, a.outcome
         FROM prompt_runs r JOIN run_attempts a ON a.run_id = r.id`,
      );
      assert.deepEqual(rows, [{ status: 'queued', attempts: 0, lease_token: null, outcome: 'released' }]);
    } finally {
      await t.drop();
    }
  });

  test('a second SIGTERM skips the grace period but still releases the run', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('hang')`);
      const worker = spawnWorker(
        ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--shutdown-grace-seconds', '600'],
        { DATABASE_URL: t.url },
      );
      await untilClaimed(t);
      worker.child.kill('SIGTERM');
      await worker.waitForLog((line) => line.event === 'worker:stopping');
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      assert.equal(
        await count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'queued' AND attempts = 0`),
        1,
      );
    } finally {
      await t.drop();
    }
  });

  test('SIGKILL mid-job: after the lease expires another worker completes the run, one response', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('hang1 then answer')`);
      const args = [
        '--ai-source',
        'chatgpt',
        '--no-maintenance',
        '--lease-seconds',
        '2',
        '--poll-interval-ms',
        '200',
      ];
      const first = spawnWorker([...args, '--worker-id', '1'], { DATABASE_URL: t.url });
      await untilClaimed(t);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = spawnWorker([...args, '--worker-id', '2'], { DATABASE_URL: t.url });
      try {
        await waitFor(
          () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`),
          20_000,
          'the rescue',
        );
      } finally {
        second.child.kill('SIGTERM');
        assert.equal(await second.exited, 0, second.stderr());
      }
      assert.equal(await count(t, 'SELECT count(*) AS n FROM responses'), 1);
      const { rows } = await t.pool.query(
        'SELECT attempt, outcome, error_kind FROM run_attempts ORDER BY id',
      );
      assert.deepEqual(rows, [
        { attempt: 1, outcome: 'lease_expired', error_kind: 'lease_expired' },
        { attempt: 2, outcome: 'done', error_kind: null },
      ]);
      const { rows: workers } = await t.pool.query(
        'SELECT worker_id, stopped_at IS NULL AS vanished FROM workers ORDER BY worker_id',
      );
      assert.deepEqual(workers, [
        { worker_id: 1, vanished: true },
        { worker_id: 2, vanished: false },
      ]);
    } finally {
      await t.drop();
    }
  });

  test('an idle worker starts a newly inserted run on NOTIFY, without waiting for its poll interval', async () => {
    const t = await chatgptOnly();
    try {
      const worker = spawnWorker(
        ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--poll-interval-ms', '600000'],
        { DATABASE_URL: t.url },
      );
      try {
        await worker.waitForLog((line) => line.event === 'worker:started');
        // The first claim of each slot happens at start; from here on only a NOTIFY (or a 10-minute poll) wakes it.
        await waitFor(() => worker.logs.length > 0);
        const insertedAt = Date.now();
        await t.pool.query(`INSERT INTO prompts (text) VALUES ('wake me')`);
        await waitFor(
          () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`),
          5_000,
          'the run',
        );
        assert.ok(Date.now() - insertedAt < 5_000);
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.stderr());
      }
    } finally {
      await t.drop();
    }
  });

  test('pg_terminate_backend on all of its connections: the worker recovers and finishes the batch', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'sleep:20 #' || i FROM generate_series(1, 60) AS i`,
      );
      const worker = spawnWorker(
        [
          '--ai-source',
          'chatgpt',
          '--worker-id',
          '1',
          '--no-maintenance',
          '--concurrency',
          '2',
          '--lease-seconds',
          '2',
          '--poll-interval-ms',
          '200',
        ],
        { DATABASE_URL: t.url },
      );
      try {
        await waitFor(
          () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`),
          20_000,
          'progress',
        );
        const killed = await count(
          t,
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name LIKE 'avt-%' AND pid <> pg_backend_pid()`,
        );
        assert.ok(killed >= 2, `expected the pool and LISTEN sessions to be killed, killed ${killed}`);
        await waitFor(
          () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`).then((n) => n === 60),
          30_000,
          'the whole batch',
        );
        await worker.waitForLog((line) => line.event === 'listen:reconnected');
        // The LISTEN session is back: a new prompt is picked up.
        await t.pool.query(`INSERT INTO prompts (text) VALUES ('after the outage')`);
        await waitFor(
          () => count(t, `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`).then((n) => n === 61),
          10_000,
          'the new run',
        );
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.stderr());
      }
      assert.equal(await count(t, 'SELECT count(DISTINCT run_id) AS n FROM responses'), 61);
      assert.equal(await count(t, 'SELECT count(*) AS n FROM responses'), 61);
    } finally {
      await t.drop();
    }
  });
});
