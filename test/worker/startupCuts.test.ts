// A worker rides out its connections cut at any moment of its start-up (migrating, registering, listening),
// says what it is waiting for, and then works as usual: nothing lost, nothing duplicated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

test("connections cut every 20 ms from the worker's first moment: it waits, says so, starts and finishes the batch", {
  timeout: 120_000,
}, async () => {
  const t = await createTestDatabase();
  try {
    await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
    await t.pool.query(
      `INSERT INTO prompts (text) SELECT 'sleep:20 #' || i FROM generate_series(1, 30) AS i`,
    );
    let cutting = true;
    let cuts = 0;
    const cutter = (async () => {
      while (cutting) {
        const { rows } = await t.pool.query<{ n: string }>(
          `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name LIKE 'avt-%' AND pid <> pg_backend_pid()`,
        );
        cuts += Number(rows[0]?.n ?? 0);
        await sleep(20);
      }
    })();
    const worker = spawnWorker(
      ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--poll-interval-ms', '200'],
      { DATABASE_URL: t.url },
    );
    try {
      const waiting = await worker.waitForLog((line) => line.event === 'startup:waiting', 30_000);
      assert.match(String(waiting.msg), /^waiting for the database: could not .+; retrying in \d+ ms$/);
      await sleep(1_000);
      cutting = false;
      await cutter;
      assert.ok(cuts > 0, 'the worker had connections to cut');
      await waitFor(
        async () => {
          const { rows } = await t.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`,
          );
          return Number(rows[0]?.n) === 30;
        },
        60_000,
        'the whole batch done',
      );
    } finally {
      cutting = false;
      await cutter;
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
    const { rows } = await t.pool.query<{ responses: string; runs: string; running: string }>(
      `SELECT (SELECT count(*) FROM responses) AS responses,
              (SELECT count(DISTINCT run_id) FROM responses) AS runs,
              (SELECT count(*) FROM run_attempts WHERE finished_at IS NULL) AS running`,
    );
    assert.deepEqual(rows[0], { responses: '30', runs: '30', running: '0' });
  } finally {
    await t.drop();
  }
});
