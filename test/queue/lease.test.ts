import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  commitResult,
  completePromptRun,
  failPromptRun,
  heartbeatPromptRun,
  type Lease,
  LeaseLostError,
  releasePromptRun,
} from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, answer, claim, onlySources, runSnapshot } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses, brand_mentions, citations');
  await t.pool.query(
    `UPDATE ai_sources SET max_attempts = 5, lease_seconds = 300, max_concurrency = 10, min_interval_ms = 0`,
  );
  await onlySources(t.pool, 'chatgpt');
});

async function responseCount(runId: string): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM responses WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.n ?? -1;
}

const isLeaseLost = (runId: string) => (error: unknown) =>
  error instanceof LeaseLostError && error.runId === runId;

describe('lease expiry', () => {
  test('an expired lease is taken over under a new token; the old holder cannot commit, the new one can', async () => {
    await addPrompts(t.pool, ['which CRM is best?']);
    const a = await claim(t.pool, { workerId: 1, workerTag: 'A' });
    assert.ok(a, 'A got nothing');

    // While A's lease is live, nobody else gets the run, up to the last microsecond of the lease.
    assert.equal(await claim(t.pool, { workerId: 2, workerTag: 'B' }), null);
    const justBefore = `(SELECT locked_until - interval '1 microsecond' FROM prompt_runs WHERE id = ${a.runId})`;
    assert.equal(await claim(t.pool, { workerId: 2, workerTag: 'B', now: justBefore }), null);

    // At locked_until the lease has expired: the run is taken back and claimed again.
    const atExpiry = `(SELECT locked_until FROM prompt_runs WHERE id = ${a.runId})`;
    const b = await claim(t.pool, { workerId: 2, workerTag: 'B', now: atExpiry });
    assert.ok(b, 'B did not get the run whose lease expired');
    assert.equal(b.runId, a.runId);
    assert.notEqual(b.leaseToken, a.leaseToken);
    assert.equal(b.attempt, 2);
    assert.equal(b.lockedBy, '2@B');

    await assert.rejects(commitResult(t.pool, a, answer('late answer from A')), isLeaseLost(a.runId));
    assert.equal(await responseCount(a.runId), 0, "A's late commit wrote a response");
    const { rows: running } = await t.pool.query(
      'SELECT status, lease_token, locked_by FROM prompt_runs WHERE id = $1',
      [a.runId],
    );
    assert.deepEqual(running[0], { status: 'running', lease_token: b.leaseToken, locked_by: '2@B' });

    await commitResult(t.pool, b, answer('answer from B'));
    await assert.rejects(commitResult(t.pool, a, answer('later still')), isLeaseLost(a.runId));

    const { rows: responses } = await t.pool.query('SELECT answer_text FROM responses WHERE run_id = $1', [
      a.runId,
    ]);
    assert.deepEqual(responses, [{ answer_text: 'answer from B' }]);
    const { rows: run } = await t.pool.query(
      'SELECT status, attempts, lease_token, finished_at IS NOT NULL AS finished FROM prompt_runs WHERE id = $1',
      [a.runId],
    );
    assert.deepEqual(run[0], { status: 'done', attempts: 2, lease_token: null, finished: true });

    const { rows: attempts } = await t.pool.query(
      `SELECT attempt, worker, lease_token, outcome, error_kind, finished_at IS NOT NULL AS finished,
              error LIKE 'lease expired: 1@A %' AS error_names_a
       FROM run_attempts WHERE run_id = $1 ORDER BY id`,
      [a.runId],
    );
    assert.deepEqual(attempts, [
      {
        attempt: 1,
        worker: '1@A',
        lease_token: a.leaseToken,
        outcome: 'lease_expired',
        error_kind: 'lease_expired',
        finished: true,
        error_names_a: true,
      },
      {
        attempt: 2,
        worker: '2@B',
        lease_token: b.leaseToken,
        outcome: 'done',
        error_kind: null,
        finished: true,
        error_names_a: null,
      },
    ]);
  });

  test('a heartbeat keeps a lease alive past its first expiry; without one the run is taken over', async () => {
    await addPrompts(t.pool, ['kept alive', 'left to expire']);
    const kept = await claim(t.pool, { workerId: 1, workerTag: 'A', leaseSeconds: 60 });
    const left = await claim(t.pool, { workerId: 1, workerTag: 'A', leaseSeconds: 60 });
    assert.ok(kept && left);
    assert.equal(kept.promptText, 'kept alive');

    // Renew with the source's lease_seconds: locked_until = the heartbeat's now() + 900 s.
    await t.pool.query(`UPDATE ai_sources SET lease_seconds = 900 WHERE name = 'chatgpt'`);
    assert.equal(await heartbeatPromptRun(t.pool, kept), true);
    const { rows: until } = await t.pool.query<{ ok: boolean }>(
      `SELECT locked_until BETWEEN now() + interval '899 seconds' AND now() + interval '900 seconds' AS ok
       FROM prompt_runs WHERE id = $1`,
      [kept.runId],
    );
    assert.equal(until[0]?.ok, true, 'heartbeat did not extend the lease by the source lease_seconds');

    // Five minutes on, both 60 s leases are past their first expiry; only the one without a heartbeat goes.
    const later = `now() + interval '5 minutes'`;
    const b = await claim(t.pool, { workerId: 2, workerTag: 'B', now: later });
    assert.ok(b, 'control: the run without a heartbeat was not taken over');
    assert.equal(b.runId, left.runId);
    assert.equal(await claim(t.pool, { workerId: 2, workerTag: 'B', now: later }), null);

    assert.equal(await heartbeatPromptRun(t.pool, left), false, 'a taken-over lease was renewed');
    assert.equal(await heartbeatPromptRun(t.pool, kept, 600), true);
    await commitResult(t.pool, kept, answer());
    const { rows } = await t.pool.query<{ outcome: string }>(
      'SELECT outcome FROM run_attempts WHERE run_id = $1 ORDER BY id',
      [kept.runId],
    );
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['done'],
    );
  });

  test('a lease that expired but was not taken over can still be renewed by its holder', async () => {
    await addPrompts(t.pool, ['renewed late']);
    const a = await claim(t.pool, { workerTag: 'A' });
    assert.ok(a);
    await t.pool.query(`UPDATE prompt_runs SET locked_until = now() - interval '1 minute' WHERE id = $1`, [
      a.runId,
    ]);
    assert.equal(await heartbeatPromptRun(t.pool, a, 300), true);
    assert.equal(
      await claim(t.pool, { workerId: 2, workerTag: 'B' }),
      null,
      'the renewed run was taken over',
    );
  });

  test("a lease expiring on the run's last attempt ends the run dead", async () => {
    await t.pool.query(`UPDATE ai_sources SET max_attempts = 2 WHERE name = 'chatgpt'`);
    await addPrompts(t.pool, ['hangs every time']);
    const first = await claim(t.pool, { workerTag: 'A' });
    assert.ok(first);
    const second = await claim(t.pool, { workerTag: 'B', now: `now() + interval '10 minutes'` });
    assert.ok(second, 'the first expiry should re-queue the run (attempt 1 of 2)');
    assert.equal(second.attempt, 2);

    assert.equal(await claim(t.pool, { workerTag: 'C', now: `now() + interval '30 minutes'` }), null);
    assert.equal(await claim(t.pool, { workerTag: 'C', now: `now() + interval '3 hours'` }), null);
    const { rows: run } = await t.pool.query(
      `SELECT status, attempts, lease_token, locked_until, finished_at IS NOT NULL AS finished,
              last_error LIKE 'lease expired: %' AS lease_error
       FROM prompt_runs WHERE id = $1`,
      [first.runId],
    );
    assert.deepEqual(run[0], {
      status: 'dead',
      attempts: 2,
      lease_token: null,
      locked_until: null,
      finished: true,
      lease_error: true,
    });
    const { rows: attempts } = await t.pool.query(
      `SELECT attempt, outcome, error_kind, finished_at IS NOT NULL AS finished
       FROM run_attempts WHERE run_id = $1 ORDER BY id`,
      [first.runId],
    );
    assert.deepEqual(attempts, [
      { attempt: 1, outcome: 'lease_expired', error_kind: 'lease_expired', finished: true },
      { attempt: 2, outcome: 'dead', error_kind: 'lease_expired', finished: true },
    ]);
    await assert.rejects(commitResult(t.pool, second, answer()), isLeaseLost(second.runId));
    assert.equal(await responseCount(first.runId), 0);
  });

  test('heartbeat, complete, fail and release with a wrong or stale token return false and change nothing', async () => {
    await addPrompts(t.pool, ['contested', 'bystander']);
    const a = await claim(t.pool, { workerTag: 'A' });
    const other = await claim(t.pool, { workerTag: 'A' });
    assert.ok(a && other);
    await t.pool.query('UPDATE prompt_runs SET locked_until = now() - interval $$1 second$$ WHERE id = $1', [
      a.runId,
    ]);
    const b = await claim(t.pool, { workerTag: 'B' });
    assert.ok(b);
    assert.equal(b.runId, a.runId);

    const operations: [string, (lease: Lease) => Promise<boolean>][] = [
      ['heartbeat', (lease) => heartbeatPromptRun(t.pool, lease, 3600)],
      ['complete', (lease) => completePromptRun(t.db, lease)],
      ['fail', (lease) => failPromptRun(t.pool, lease, { kind: 'bad_input', message: 'stale' })],
      ['release', (lease) => releasePromptRun(t.pool, lease)],
    ];
    const badLeases: [string, Lease][] = [
      ['stale token (taken over)', a],
      ['random token', { runId: a.runId, leaseToken: randomUUID() }],
      ["another run's token", { runId: a.runId, leaseToken: other.leaseToken }],
      ['right token, wrong run', { runId: other.runId, leaseToken: b.leaseToken }],
    ];
    const before = [await runSnapshot(t.pool, a.runId), await runSnapshot(t.pool, other.runId)];
    for (const [opName, op] of operations) {
      for (const [leaseName, lease] of badLeases) {
        assert.equal(await op(lease), false, `${opName} with ${leaseName} returned true`);
        assert.deepEqual(
          [await runSnapshot(t.pool, a.runId), await runSnapshot(t.pool, other.runId)],
          before,
          `${opName} with ${leaseName} changed something`,
        );
      }
    }

    // Once the run is done, even the token that finished it holds nothing.
    await commitResult(t.pool, b, answer());
    const done = await runSnapshot(t.pool, b.runId);
    for (const [opName, op] of operations) {
      assert.equal(await op(b), false, `${opName} on a done run returned true`);
      assert.equal(await runSnapshot(t.pool, b.runId), done, `${opName} on a done run changed it`);
    }
  });

  test('a lease token exists exactly while the run is running, so the token alone proves the lease', async () => {
    // The lease functions look a run up by id and token only (the primary key); this is what makes that safe.
    await addPrompts(t.pool, ['token invariant']);
    const a = await claim(t.pool, { workerTag: 'A' });
    assert.ok(a);
    for (const [what, sql] of [
      [
        'done but keeping its token',
        `UPDATE prompt_runs SET status = 'done', locked_until = NULL WHERE id = $1`,
      ],
      [
        'queued but keeping its token',
        `UPDATE prompt_runs SET status = 'queued', locked_until = NULL WHERE id = $1`,
      ],
      ['running without a token', `UPDATE prompt_runs SET lease_token = NULL WHERE id = $1`],
      ['running without locked_until', `UPDATE prompt_runs SET locked_until = NULL WHERE id = $1`],
    ] as const) {
      await assert.rejects(t.pool.query(sql, [a.runId]), /prompt_runs_lease_only_while_running/, what);
    }
  });

  test('a session that began on an empty table keeps finding attempts by index as the table grows', async () => {
    // Plans are cached per session: planned on a run_attempts known to be empty (analyzed so, as a new
    // install's may be), the lookup by lease token used to stay a sequential scan, one scan of every attempt
    // per job, until the next ANALYZE.
    await t.pool.query('ANALYZE run_attempts');
    await addPrompts(
      t.pool,
      Array.from({ length: 300 }, (_, i) => `growing ${i}`),
    );
    const seqScans = async () => {
      const { rows } = await t.pool.query<{ n: string }>(
        `SELECT seq_scan AS n FROM pg_stat_user_tables WHERE relname = 'run_attempts'`,
      );
      return Number(rows[0]?.n);
    };
    const session = await t.pool.connect();
    try {
      const before = await seqScans();
      for (;;) {
        const run = await claim(session, { workerTag: 'A' });
        if (!run) break;
        await commitResult(session, run, answer());
      }
      await session.query('SELECT pg_stat_force_next_flush()');
      await session.query('SELECT 1');
      // A few scans outside the lease lookups (statements planned before the first run) are fine.
      const scans = (await seqScans()) - before;
      assert.ok(scans < 30, `${scans} sequential scans of run_attempts for 300 jobs`);
    } finally {
      session.release();
    }
  });

  test('completing a run reads a handful of pages however many finished leases await vacuum', async () => {
    // Before, `status = 'running'` in the lookup let the planner walk the partial leases index, dead entries
    // and all: 27,800 buffers per call after 15,000 jobs. Autovacuum is kept off this table meanwhile, and
    // a snapshot held open keeps the finished leases' index entries from being pruned.
    await t.pool.query('ALTER TABLE prompt_runs SET (autovacuum_enabled = false)');
    // A snapshot held open elsewhere (a long report, a slow worker) keeps every old row version alive.
    const reader = await t.pool.connect();
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reader.query('SELECT count(*) FROM prompt_runs');
    try {
      await addPrompts(
        t.pool,
        Array.from({ length: 3000 }, (_, i) => `dead lease ${i}`),
      );
      await t.pool.query('ANALYZE prompt_runs');
      for (;;) {
        const run = await claim(t.pool, { workerTag: 'A' });
        if (!run) break;
        await commitResult(t.pool, run, answer());
      }
      await addPrompts(t.pool, ['the last one']);
      const last = await claim(t.pool, { workerTag: 'A' });
      assert.ok(last);
      // EXPLAIN's buffer counts include what the function's own statements read.
      const { rows } = await t.pool.query<{ 'QUERY PLAN': [{ Plan: { 'Shared Hit Blocks': number } }] }>(
        'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT complete_prompt_run($1::bigint, $2::uuid)',
        [last.runId, last.leaseToken],
      );
      const status = await t.pool.query('SELECT status FROM prompt_runs WHERE id = $1', [last.runId]);
      assert.equal(status.rows[0]?.status, 'done');
      const touched = rows[0]?.['QUERY PLAN'][0].Plan['Shared Hit Blocks'] ?? Number.NaN;
      assert.ok(touched < 50, `complete touched ${touched} buffers`);
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
      await t.pool.query('ALTER TABLE prompt_runs RESET (autovacuum_enabled)');
    }
  });
});
