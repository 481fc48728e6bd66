import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import { type TestDatabase, waitFor } from '../helpers/db.ts';
import { addPrompts, createTrackingDatabase } from '../helpers/queue.ts';
import { mockAnswerHandler, spawnBin } from '../helpers/workerProcess.ts';

let database: TestDatabase;
let mock: MockPlatform;

before(async () => {
  database = await createTrackingDatabase();
  mock = await startMockPlatform({ port: 0, latencyMs: 0, llmLatencyMs: 0 });
});

after(async () => {
  await mock?.close();
  await database?.drop();
});

test('while the LLM sends garbage, answers are committed by rules; a worker re-extracts them once it recovers', async () => {
  mock.setLlmFaults({ malformed: 1 });
  const env = { DATABASE_URL: database.url, LLM_BASE_URL: `${mock.url}/v1` };
  // The capturing worker runs no background tasks, so the reextract jobs wait, untried, for a replica that
  // does: the recovery below does not depend on how many times graphile-worker retried meanwhile.
  const capturing = spawnBin(
    'worker',
    ['--handler', mockAnswerHandler, '--ai-source', 'chatgpt', '--worker-id', '1', '--metrics-port', '0'],
    { ...env, NO_MAINTENANCE: '1' },
  );
  const workers = [capturing];
  try {
    // Start-up alone can take long on a loaded machine (the suite runs two files at once).
    await capturing.waitForLog((line) => line.event === 'worker:started', 180_000);
    await addPrompts(database.pool, ['Which CRM for a bakery?', 'Which CRM for a law firm?']);
    const methods = async () =>
      (
        await database.pool.query<{ method: string }>(
          'SELECT extraction_method AS method FROM responses ORDER BY id',
        )
      ).rows.map((row) => row.method);
    await waitFor(async () => (await methods()).length === 2, 60_000, 'both runs committed');
    assert.deepEqual(await methods(), ['rules', 'rules'], 'no malformed reply is trusted');
    const nullSentiments = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM brand_mentions WHERE sentiment IS NULL',
    );
    assert.ok((nullSentiments.rows[0]?.n ?? 0) > 0, 'the rules recorded the mentions');
    const queued = `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks k ON k.id = j.task_id WHERE k.identifier = 'reextract'`;
    assert.equal((await database.pool.query<{ n: number }>(queued)).rows[0]?.n, 2, 'a reextract job each');

    const { port } = (await capturing.waitForLog((line) => line.event === 'metrics:listening')) as {
      port: number;
    };
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(
      metrics,
      /^avt_extractions_total\{[^}]*method="rules"[^}]*\} 2$/m,
      'both jobs went by rules',
    );
    assert.match(metrics, /^avt_llm_requests_total\{[^}]*outcome="malformed"[^}]*\} [1-9]/m);

    mock.setLlmFaults({});
    workers.push(
      spawnBin('worker', ['--handler', mockAnswerHandler, '--ai-source', 'chatgpt', '--worker-id', '2'], env),
    );
    await waitFor(async () => (await methods()).every((m) => m === 'llm'), 180_000, 'both re-extracted');
    const mentions = await database.pool.query<{ n: number; unset: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE sentiment IS NULL)::int AS unset FROM brand_mentions`,
    );
    assert.equal(mentions.rows[0]?.unset, 0, 'every mention now has its sentiment');
    assert.ok((mentions.rows[0]?.n ?? 0) > 0);
    await waitFor(
      async () => (await database.pool.query<{ n: number }>(queued)).rows[0]?.n === 0,
      10_000,
      'the reextract jobs done and gone',
    );
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM');
    assert.deepEqual(
      await Promise.all(workers.map((worker) => worker.exited)),
      workers.map(() => 0),
    );
  }
});
