import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { addPrompts, createTrackingDatabase } from '../helpers/queue.ts';
import { mockAnswerHandler, type SpawnedWorker, spawnBin } from '../helpers/workerProcess.ts';

/** The mock LLM allows this many requests per minute, and the workers are told the same limit. */
const LIMIT = 30;
const BATCH = 2;
/** Enough answers for more than LIMIT requests, so a 60-second window is really put to the test. */
const PROMPTS = (LIMIT + 3) * BATCH;

let database: TestDatabase;
let mock: MockPlatform;

before(async () => {
  database = await createTrackingDatabase();
  mock = await startMockPlatform({ port: 0, latencyMs: 0, llmRatePerMin: LIMIT, llmLatencyMs: 20 });
});

after(async () => {
  await mock?.close();
  await database?.drop();
});

test(`four worker processes share LLM_RATE_PER_MIN=${LIMIT}: the LLM never sees more in any 60 s, no 429 fails a job`, {
  timeout: 240_000,
}, async () => {
  await addPrompts(
    database.pool,
    Array.from({ length: PROMPTS }, (_, i) => `Which CRM suits a team of ${i + 2}?`),
  );
  const workers: SpawnedWorker[] = [1, 2, 3, 4].map((id) =>
    spawnBin(
      'worker',
      [
        '--handler',
        mockAnswerHandler,
        '--ai-source',
        'chatgpt',
        '--worker-id',
        String(id),
        '--concurrency',
        '8',
      ],
      {
        DATABASE_URL: database.url,
        LLM_BASE_URL: `${mock.url}/v1`,
        LLM_RATE_PER_MIN: String(LIMIT),
        LLM_BATCH_SIZE: String(BATCH),
        LLM_BATCH_WAIT_MS: '100',
        ...(id === 1 ? {} : { NO_MAINTENANCE: '1' }),
      },
    ),
  );
  try {
    const deadline = Date.now() + 200_000;
    for (;;) {
      const { rows } = await database.pool.query<{ done: number }>(
        `SELECT count(*) FILTER (WHERE status = 'done')::int AS done FROM prompt_runs`,
      );
      if (rows[0]?.done === PROMPTS) break;
      assert.ok(Date.now() < deadline, `only ${rows[0]?.done} of ${PROMPTS} runs done in time`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
  }

  const stats = mock.llmStats();
  assert.equal(stats.rate_limited, 0, 'no request was ever over the mock LLM limit');
  const accepted = [...stats.accepted_at].sort((a, b) => a - b);
  assert.ok(accepted.length > LIMIT, `more requests (${accepted.length}) than one minute allows`);
  for (let i = 0; i + LIMIT < accepted.length; i += 1) {
    const span = (accepted[i + LIMIT] as number) - (accepted[i] as number);
    assert.ok(span > 60_000, `requests ${i}..${i + LIMIT} came within ${span} ms: over ${LIMIT} per minute`);
  }

  const { rows } = await database.pool.query<{ method: string; n: number }>(
    'SELECT extraction_method AS method, count(*)::int AS n FROM responses GROUP BY 1',
  );
  assert.deepEqual(rows, [{ method: 'llm', n: PROMPTS }], 'every answer extracted by the LLM, none by rules');
  const failures = await database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM run_attempts WHERE outcome <> 'done'`,
  );
  assert.equal(failures.rows[0]?.n, 0, 'no attempt failed');
});
