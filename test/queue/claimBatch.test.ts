import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type pg from 'pg';
import { type ClaimedRun, claimNextPrompts } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';

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
    `UPDATE ai_sources SET enabled = true, max_concurrency = NULL, min_interval_ms = 0, paused_until = NULL,
       last_claimed_at = NULL`,
  );
  await onlySources(t.pool, 'chatgpt');
});

function claimBatch(db: Pick<pg.Pool, 'query'>, maxRuns: number, workerId = 1): Promise<ClaimedRun[]> {
  return claimNextPrompts(db, { workerId, aiSource: 'chatgpt', workerTag: `batch-${workerId}` }, maxRuns);
}

describe('claim_next_prompts', () => {
  test('hands out up to max_runs runs in claim order, each under its own lease and attempt', async () => {
    const low = await addPrompts(t.pool, ['low 1', 'low 2', 'low 3']);
    const high = await addPrompts(t.pool, ['high 1', 'high 2'], 5);

    const runs = await claimBatch(t.pool, 4);
    assert.deepEqual(
      runs.map((r) => r.promptId),
      [high[0], high[1], low[0], low[1]],
      'not highest priority first, then oldest',
    );
    assert.equal(new Set(runs.map((r) => r.leaseToken)).size, 4, 'two runs share a lease token');
    const { rows } = await t.pool.query<{ run_id: string; lease_token: string; attempt: number }>(
      'SELECT run_id::text, lease_token::text, attempt FROM run_attempts ORDER BY run_id',
    );
    assert.deepEqual(
      rows,
      runs
        .map((r) => ({ run_id: r.runId, lease_token: r.leaseToken, attempt: 1 }))
        .sort((a, b) => Number(a.run_id) - Number(b.run_id)),
    );
    assert.ok(runs.every((r) => r.lockedBy === '1@batch-1' && r.attempt === 1));

    const rest = await claimBatch(t.pool, 4);
    assert.deepEqual(
      rest.map((r) => r.promptId),
      [low[2]],
    );
    assert.deepEqual(await claimBatch(t.pool, 4), []);
  });

  test('a batch takes only the slots max_concurrency leaves free', async () => {
    await t.pool.query(`UPDATE ai_sources SET max_concurrency = 3 WHERE name = 'chatgpt'`);
    await addPrompts(
      t.pool,
      Array.from({ length: 10 }, (_, i) => `prompt ${i}`),
    );
    assert.ok(await claim(t.pool));
    assert.equal((await claimBatch(t.pool, 10)).length, 2);
    assert.equal((await claimBatch(t.pool, 10)).length, 0);
  });

  test('min_interval_ms: a batch claims one run, and the next call waits out the interval', async () => {
    await t.pool.query(`UPDATE ai_sources SET min_interval_ms = 60000 WHERE name = 'chatgpt'`);
    await addPrompts(t.pool, ['a', 'b', 'c']);
    assert.equal((await claimBatch(t.pool, 3)).length, 1);
    assert.equal((await claimBatch(t.pool, 3)).length, 0);
  });

  test('a paused source hands out nothing', async () => {
    await t.pool.query(
      `UPDATE ai_sources SET paused_until = now() + interval '1 hour' WHERE name = 'chatgpt'`,
    );
    await addPrompts(t.pool, ['a', 'b']);
    assert.deepEqual(await claimBatch(t.pool, 2), []);
  });

  test('max_runs below 1 or missing is refused with a clear error', async () => {
    await addPrompts(t.pool, ['a']);
    await assert.rejects(claimBatch(t.pool, 0), /max_runs must be at least 1, got 0/);
    await assert.rejects(
      t.pool.query(`SELECT * FROM claim_next_prompts(1, 'chatgpt', NULL)`),
      /worker_id, ai_source and max_runs are required/,
    );
    assert.equal((await claimBatch(t.pool, 1)).length, 1, 'the refused calls claimed the run');
  });
});
