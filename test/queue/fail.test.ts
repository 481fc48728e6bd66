import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { type ClaimedRun, failPromptRun, releasePromptRun } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { addPrompts, claim, onlySources, runSnapshot } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses');
  await t.pool.query(
    `UPDATE ai_sources SET max_attempts = 5, lease_seconds = 300, max_concurrency = NULL, min_interval_ms = 0,
       backoff_base_seconds = 10, backoff_cap_seconds = 25`,
  );
  await onlySources(t.pool, 'chatgpt');
});

/** Seconds from the failure (the attempt's finished_at, the same now() fail_prompt_run used) to run_after. */
async function backoffSeconds(lease: ClaimedRun): Promise<number> {
  const { rows } = await t.pool.query<{ delay: number; status: string }>(
    `SELECT extract(epoch FROM r.run_after - a.finished_at)::float8 AS delay, r.status
     FROM run_attempts a JOIN prompt_runs r ON r.id = a.run_id
     WHERE a.lease_token = $1`,
    [lease.leaseToken],
  );
  assert.equal(rows[0]?.status, 'queued');
  return rows[0]?.delay ?? Number.NaN;
}

async function fail(lease: ClaimedRun, kind = 'timeout', message = 'no answer in time', retryAfter?: number) {
  const held = await failPromptRun(t.pool, lease, { kind, message, retryAfterSeconds: retryAfter });
  assert.equal(held, true, `fail_prompt_run lost the lease of run ${lease.runId}`);
}

describe('fail_prompt_run', () => {
  test('a failure re-queues with backoff d = least(cap, base·2^(attempts-1)), delay in [d/2, d], jittered; dead after max_attempts', async () => {
    // base 10 s, cap 25 s, 4 attempts: d = 10, 20, 25 (capped; uncapped it would be 40), then dead.
    await t.pool.query(`UPDATE ai_sources SET max_attempts = 4 WHERE name = 'chatgpt'`);
    const runIds = new Set(
      await addPrompts(
        t.pool,
        Array.from({ length: 12 }, (_, i) => `prompt ${i}`),
      ),
    );
    const expected = [10, 20, 25];
    let now: string | undefined;
    let reclaimed: ClaimedRun[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const leases = reclaimed;
      for (;;) {
        const lease = await claim(t.pool, { ...(now ? { now } : {}) });
        if (!lease) break;
        leases.push(lease);
      }
      assert.equal(leases.length, 12, `attempt ${attempt}: every run should be claimable again`);
      assert.deepEqual(new Set(leases.map((l) => l.attempt)), new Set([attempt]));
      for (const lease of leases) await fail(lease);
      if (attempt === 4) break;

      const d = expected[attempt - 1] as number;
      const delays = await Promise.all(leases.map(backoffSeconds));
      for (const delay of delays) {
        assert.ok(
          delay >= d / 2 && delay <= d,
          `attempt ${attempt}: delay ${delay} s outside [${d / 2}, ${d}]`,
        );
      }
      assert.ok(new Set(delays).size > 1, `attempt ${attempt}: no jitter, every delay was ${delays[0]}`);

      // Nothing is claimable before the earliest run_after, not even a microsecond before it; at it, that run is.
      assert.equal(await claim(t.pool), null, 'a backed-off run was claimed at once');
      const earliest = `(SELECT min(run_after) FROM prompt_runs WHERE status = 'queued')`;
      assert.equal(await claim(t.pool, { now: `${earliest} - interval '1 microsecond'` }), null);
      const { rows: first } = await t.pool.query<{ id: string }>(
        `SELECT id FROM prompt_runs WHERE status = 'queued' ORDER BY run_after, id LIMIT 1`,
      );
      const earliestRun = await claim(t.pool, { now: earliest });
      assert.ok(earliestRun, 'the run was not claimable once its backoff had passed');
      assert.equal(earliestRun.runId, first[0]?.id);
      reclaimed = [earliestRun];
      now = `(SELECT max(run_after) FROM prompt_runs WHERE status = 'queued')`;
    }

    const { rows } = await t.pool.query(
      `SELECT status, attempts, count(*)::int AS runs, bool_and(finished_at IS NOT NULL) AS finished,
              bool_and(lease_token IS NULL) AS unleased
       FROM prompt_runs GROUP BY status, attempts`,
    );
    assert.deepEqual(rows, [{ status: 'dead', attempts: 4, runs: 12, finished: true, unleased: true }]);
    const { rows: outcomes } = await t.pool.query<{ run_id: string; outcomes: string[] }>(
      `SELECT run_id, array_agg(outcome ORDER BY attempt) AS outcomes FROM run_attempts GROUP BY run_id`,
    );
    assert.equal(outcomes.length, runIds.size);
    for (const row of outcomes) assert.deepEqual(row.outcomes, ['retry', 'retry', 'retry', 'dead']);
    assert.equal(await claim(t.pool, { now: `now() + interval '1 day'` }), null, 'a dead run was claimed');
  });

  for (const kind of ['bad_input', 'selector_drift']) {
    test(`a permanent error (${kind}) sends the run dead on its first attempt`, async () => {
      await addPrompts(t.pool, ['cannot be run']);
      const lease = await claim(t.pool);
      assert.ok(lease);
      assert.equal(lease.maxAttempts, 5);
      await fail(lease, kind, 'permanent problem');
      const { rows } = await t.pool.query(
        `SELECT status, attempts, last_error, finished_at IS NOT NULL AS finished FROM prompt_runs WHERE id = $1`,
        [lease.runId],
      );
      assert.deepEqual(rows[0], {
        status: 'dead',
        attempts: 1,
        last_error: `${kind}: permanent problem`,
        finished: true,
      });
      const { rows: attempts } = await t.pool.query(
        'SELECT outcome, error_kind, error FROM run_attempts WHERE run_id = $1',
        [lease.runId],
      );
      assert.deepEqual(attempts, [{ outcome: 'dead', error_kind: kind, error: 'permanent problem' }]);
      assert.equal(await claim(t.pool, { now: `now() + interval '1 day'` }), null);
    });
  }

  test('retry_after_seconds is a floor under the backoff, never a ceiling', async () => {
    await addPrompts(t.pool, ['rate limited', 'briefly limited']);
    const long = await claim(t.pool);
    const short = await claim(t.pool);
    assert.ok(long && short);
    await fail(long, 'navigation', 'HTTP 503, Retry-After: 999.2', 999.2); // the wrapper rounds up to 1000
    await fail(short, 'navigation', 'HTTP 503, Retry-After: 1', 1);
    assert.equal(await backoffSeconds(long), 1000);
    const delay = await backoffSeconds(short);
    assert.ok(delay >= 5 && delay <= 10, `delay ${delay} s outside [5, 10] despite a 1 s Retry-After`);
  });

  test('an unknown error_kind raises an error naming it and listing the known kinds, and changes nothing', async () => {
    await addPrompts(t.pool, ['fails oddly']);
    const lease = await claim(t.pool);
    assert.ok(lease);
    const before = await runSnapshot(t.pool, lease.runId);
    const { rows: kinds } = await t.pool.query<{ kind: string }>(
      'SELECT kind FROM error_kinds ORDER BY kind',
    );
    assert.ok(kinds.length >= 10);
    await assert.rejects(
      t.pool.query(`SELECT fail_prompt_run($1, $2, 'cosmic_ray', 'bit flip')`, [
        lease.runId,
        lease.leaseToken,
      ]),
      (error: Error) => {
        assert.match(error.message, /unknown error_kind 'cosmic_ray'/);
        for (const { kind } of kinds)
          assert.ok(error.message.includes(kind), `${kind} missing: ${error.message}`);
        return true;
      },
    );
    assert.equal(await runSnapshot(t.pool, lease.runId), before);
  });

  test('run_attempts holds one complete row per attempt: worker, start, finish, outcome, error kind and text', async () => {
    await t.pool.query(`UPDATE ai_sources SET max_attempts = 3 WHERE name = 'chatgpt'`);
    const [promptId] = await addPrompts(t.pool, ['troubled prompt']);
    const failures = [
      ['timeout', 'no answer after 120 s'],
      ['navigation', 'net::ERR_CONNECTION_RESET'],
      ['browser_crash', 'Target page, context or browser has been closed'],
    ] as const;
    let runId = '';
    for (const [i, [kind, message]] of failures.entries()) {
      await t.pool.query('UPDATE prompt_runs SET run_after = now() WHERE prompt_id = $1', [promptId]);
      const lease = await claim(t.pool, { workerId: i + 1, workerTag: `host-${i + 1}` });
      assert.ok(lease, `attempt ${i + 1} not claimable`);
      runId = lease.runId;
      await fail(lease, kind, message);
    }
    const { rows } = await t.pool.query(
      `SELECT attempt, worker, outcome, error_kind, error,
              started_at IS NOT NULL AND finished_at >= started_at AS timed
       FROM run_attempts WHERE run_id = $1 ORDER BY id`,
      [runId],
    );
    assert.deepEqual(rows, [
      {
        attempt: 1,
        worker: '1@host-1',
        outcome: 'retry',
        error_kind: 'timeout',
        error: 'no answer after 120 s',
        timed: true,
      },
      {
        attempt: 2,
        worker: '2@host-2',
        outcome: 'retry',
        error_kind: 'navigation',
        error: 'net::ERR_CONNECTION_RESET',
        timed: true,
      },
      {
        attempt: 3,
        worker: '3@host-3',
        outcome: 'dead',
        error_kind: 'browser_crash',
        error: 'Target page, context or browser has been closed',
        timed: true,
      },
    ]);
    const { rows: run } = await t.pool.query('SELECT status, last_error FROM prompt_runs WHERE id = $1', [
      runId,
    ]);
    assert.deepEqual(run[0], {
      status: 'dead',
      last_error: 'browser_crash: Target page, context or browser has been closed',
    });
  });
});

describe('release_prompt_run', () => {
  test('a released run is queued again in its old place, the attempt not charged, and workers are woken', async () => {
    await t.pool.query(`UPDATE ai_sources SET max_attempts = 1 WHERE name = 'chatgpt'`);
    await addPrompts(t.pool, ['interrupted by shutdown']);
    const { rows: queued } = await t.pool.query<{ run_after: string }>(
      'SELECT run_after::text FROM prompt_runs',
    );
    const lease = await claim(t.pool, { workerTag: 'stopping' });
    assert.ok(lease);

    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      const payloads: string[] = [];
      listener.on('notification', (message) => payloads.push(message.payload ?? ''));
      await listener.query('LISTEN prompt_runs_queued');
      assert.equal(await releasePromptRun(t.pool, lease), true);
      await waitFor(() => payloads.includes('chatgpt'), 5_000, 'the release NOTIFY');
    } finally {
      await listener.end();
    }

    const { rows } = await t.pool.query(
      `SELECT status, attempts, run_after::text, locked_by, lease_token, locked_until FROM prompt_runs
       WHERE id = $1`,
      [lease.runId],
    );
    assert.deepEqual(rows[0], {
      status: 'queued',
      attempts: 0,
      run_after: queued[0]?.run_after,
      locked_by: null,
      lease_token: null,
      locked_until: null,
    });
    const { rows: attempts } = await t.pool.query(
      `SELECT attempt, worker, outcome, error_kind, finished_at IS NOT NULL AS finished FROM run_attempts
       WHERE run_id = $1`,
      [lease.runId],
    );
    assert.deepEqual(attempts, [
      { attempt: 1, worker: '1@stopping', outcome: 'released', error_kind: null, finished: true },
    ]);

    // Not charged: the next claim is attempt 1 again, and the run's single allowed attempt is still to come.
    const again = await claim(t.pool, { workerTag: 'next' });
    assert.ok(again, 'the released run was not claimable');
    assert.equal(again.runId, lease.runId);
    assert.equal(again.attempt, 1);
    assert.equal(await releasePromptRun(t.pool, lease), false, 'the old lease released the new claim');
    await fail(again);
    const { rows: dead } = await t.pool.query('SELECT status, attempts FROM prompt_runs WHERE id = $1', [
      lease.runId,
    ]);
    assert.deepEqual(dead[0], { status: 'dead', attempts: 1 });
  });
});
