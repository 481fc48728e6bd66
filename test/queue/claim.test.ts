import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type ClaimedRun, claimNextPrompt, claimNextPrompts, commitResults } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { answer, doneOnce } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

/** One run per claim and commit (claim_next_prompt), or batches of 1 to 4 (claim_next_prompts). */
const modes = {
  'one at a time': async (pool: pg.Pool, index: number): Promise<ClaimedRun[]> => {
    const run = await claimNextPrompt(pool, { workerId: index + 1, aiSource: 'chatgpt' });
    return run ? [run] : [];
  },
  'in batches': (pool: pg.Pool, index: number): Promise<ClaimedRun[]> =>
    claimNextPrompts(pool, { workerId: index + 1, aiSource: 'chatgpt' }, 1 + (index % 4)),
};

describe('claim_next_prompt', () => {
  for (const [mode, claim] of Object.entries(modes)) {
    test(`16 concurrent claimers over 2,000 runs, ${mode}: every run claimed once, none twice`, async () => {
      await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses');
      await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'prompt ' || i FROM generate_series(1, 2000) AS i`,
      );

      const claimed: string[] = [];
      const claimers = Array.from({ length: 16 }, async (_, index) => {
        const pool = new pg.Pool({ connectionString: t.url, max: 1 });
        try {
          for (;;) {
            const runs = await claim(pool, index);
            if (runs.length === 0) break;
            claimed.push(...runs.map((run) => run.runId));
            const responses = await commitResults(
              pool,
              runs.map((run) => ({ run, result: answer(`answer to ${run.promptText}`) })),
            );
            assert.ok(!responses.includes(null), 'a lease held by its claimer was lost');
          }
        } finally {
          await pool.end();
        }
      });
      await Promise.all(claimers);

      assert.equal(claimed.length, 2000);
      assert.equal(new Set(claimed).size, 2000, 'a run was handed out twice');
      assert.deepEqual(await doneOnce(t.pool), {
        done: 2000,
        responses: 2000,
        runs_with_response: 2000,
        attempts_done: 2000,
      });
    });
  }
});
