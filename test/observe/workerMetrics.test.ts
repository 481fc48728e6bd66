// The seed's metric names on a real worker process: attempts by status, capture and LLM extraction timings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import { type TestDatabase, waitFor } from '../helpers/db.ts';
import { createTrackingDatabase } from '../helpers/queue.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

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

/** The value of the sample `name{...}` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: string[] = []): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('a worker counts prompts_processed_total by status and times the capture and the LLM extraction', async () => {
  const worker = spawnWorker(
    ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--metrics-port', '0'],
    { DATABASE_URL: database.url, LLM_BASE_URL: `${mock.url}/v1` },
  );
  try {
    const { port } = (await worker.waitForLog((line) => line.event === 'metrics:listening', 120_000)) as {
      port: number;
    };
    await worker.waitForLog((line) => line.event === 'worker:started', 120_000);
    await database.pool.query(
      `INSERT INTO prompts (text) VALUES ('sleep:300 Which CRM for a bakery?'), ('Which CRM for a florist?'),
         ('fail:bad_input no such prompt'), ('fail:timeout slow site')`,
    );
    // Three runs finished (two done, one dead) and the timeout's first attempt re-queued.
    await waitFor(
      async () =>
        (
          await database.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM run_attempts WHERE outcome IS NOT NULL`,
          )
        ).rows[0]?.n === 4,
      60_000,
      'four attempts recorded',
    );
    const text = await waitFor(async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return sample(body, 'prompts_processed_total', ['status="failed"']) === 1 ? body : '';
    });
    const source = 'ai_source="chatgpt"';
    assert.equal(sample(text, 'prompts_processed_total', [source, 'status="done"']), 2);
    assert.equal(sample(text, 'prompts_processed_total', [source, 'status="dead"']), 1);
    // Only successful captures are timed; the scripted 300 ms sleep is among them.
    assert.equal(sample(text, 'scrape_duration_seconds_count', [source]), 2);
    assert.ok((sample(text, 'scrape_duration_seconds_sum', [source]) ?? 0) >= 0.3);
    assert.equal(sample(text, 'llm_extractions_total', ['status="ok"']), 2);
    assert.equal(sample(text, 'llm_extraction_duration_seconds_count'), 2);
    assert.ok((sample(text, 'llm_extraction_duration_seconds_sum') ?? 0) > 0);
  } finally {
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.stderr());
  }
});
