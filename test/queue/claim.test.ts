import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { claimNextPrompt, commitResult } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

describe('claim_next_prompt', () => {
  test('16 concurrent claimers over 2,000 runs: every run claimed once, none twice', async () => {
    await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
    await t.pool.query(`INSERT INTO prompts (text) SELECT 'prompt ' || i FROM generate_series(1, 2000) AS i`);

    const claimed: string[] = [];
    const claimers = Array.from({ length: 16 }, async (_, index) => {
      const pool = new pg.Pool({ connectionString: t.url, max: 1 });
      try {
        for (;;) {
          const run = await claimNextPrompt(pool, { workerId: index + 1, aiSource: 'chatgpt' });
          if (!run) break;
          claimed.push(run.runId);
          await commitResult(pool, run, {
            response: { answerText: `answer to ${run.promptText}` },
            mentions: [],
            citations: [],
          });
        }
      } finally {
        await pool.end();
      }
    });
    await Promise.all(claimers);

    assert.equal(claimed.length, 2000);
    assert.equal(new Set(claimed).size, 2000, 'a run was handed out twice');
    const { rows } = await t.pool.query(
      `SELECT count(*) FILTER (WHERE status = 'done' AND attempts = 1)::int AS done,
              (SELECT count(*)::int FROM responses) AS responses,
              (SELECT count(DISTINCT run_id)::int FROM responses) AS runs_with_response,
              (SELECT count(*)::int FROM run_attempts WHERE outcome = 'done') AS attempts_done
       FROM prompt_runs`,
    );
    assert.deepEqual(rows[0], { done: 2000, responses: 2000, runs_with_response: 2000, attempts_done: 2000 });
  });
});
