// Extraction under the LLM's rate limit: how much end-to-end throughput a low LLM_RATE_PER_MIN costs when
// answers share requests (batching).
//
//   ratio = (completed prompts per second with LLM_RATE_PER_MIN = limit) ÷ (the same with no limit)
//
// Both runs are the same real pipeline: a `bin/worker` process with a shared browser at concurrency C,
// capturing the mock's chatgpt flavour (answer latency L), then extracting through the mock LLM (its own
// latency, and in the limited run its own rate limit: a 429 there would show up as a rules fallback).
import { parseArgs } from 'node:util';
import { addBrands } from '../src/db/brands.ts';
import { DEMO_BRANDS } from '../src/mock/brands.ts';
import { startMockPlatform } from '../src/mock/index.ts';
import {
  assertAllDone,
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  insertCrmPrompts,
  loadLine,
  reproduceCommand,
  runBenchWorker,
  useSingleSource,
} from './lib.ts';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '20000' },
    'llm-latency-ms': { type: 'string', default: '1500' },
    jobs: { type: 'string', default: '60' },
    limit: { type: 'string', default: '15' },
    'batch-size': { type: 'string', default: '8' },
    'batch-wait-ms': { type: 'string', default: '500' },
  },
});
const concurrency = Number(values.concurrency);
const latency = Number(values['latency-ms']);
const llmLatency = Number(values['llm-latency-ms']);
const jobs = Number(values.jobs);
const limit = Number(values.limit);
const batchSize = Number(values['batch-size']);
const batchWaitMs = Number(values['batch-wait-ms']);

/** The caller's environment without a limit of its own, so the unlimited run is unlimited. */
function withoutLlmRate(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LLM_RATE_PER_MIN: _ignored, ...rest } = env;
  return rest;
}

interface Measured {
  seconds: number;
  requests: number;
  rateLimited: number;
  byRules: number;
}

async function measure(ratePerMin: number | undefined, answersPerRequest = batchSize): Promise<Measured> {
  const mock = await startMockPlatform({
    port: 0,
    latencyMs: latency,
    latencyJitter: 0.5,
    seed: 5,
    llmLatencyMs: llmLatency,
    ...(ratePerMin ? { llmRatePerMin: ratePerMin } : {}),
  });
  const database = await createBenchDatabase(`extract_${ratePerMin ?? 'nolimit'}_${answersPerRequest}`, {
    migrated: true,
  });
  const pool = benchPool(database.url, 2, 'avt-bench-extraction');
  try {
    await useSingleSource(pool, null);
    await addBrands(pool, DEMO_BRANDS.slice(0, 5));
    await insertCrmPrompts(pool, jobs);
    await runBenchWorker(
      ['--browser', 'shared', '--concurrency', String(concurrency), '--base-url', `${mock.url}/chatgpt/`],
      {
        ...withoutLlmRate(process.env),
        DATABASE_URL: database.url,
        LLM_BASE_URL: mock.llmBaseUrl,
        LLM_BATCH_SIZE: String(answersPerRequest),
        LLM_BATCH_WAIT_MS: String(batchWaitMs),
        ...(ratePerMin ? { LLM_RATE_PER_MIN: String(ratePerMin) } : {}),
      },
      'worker',
    ).exited;
    await assertAllDone(pool, jobs, `extraction, limit ${ratePerMin ?? 'none'}`);
    const { rows } = await pool.query<{ seconds: number; by_rules: number }>(
      `SELECT (SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 FROM run_attempts) AS seconds,
              (SELECT count(*)::int FROM responses WHERE extraction_method = 'rules') AS by_rules`,
    );
    const stats = mock.llmStats();
    return {
      seconds: rows[0]?.seconds ?? Number.NaN,
      requests: stats.accepted,
      rateLimited: stats.rate_limited,
      byRules: rows[0]?.by_rules ?? Number.NaN,
    };
  } finally {
    await pool.end();
    await database.drop();
    await mock.close();
  }
}

try {
  const free = await measure(undefined);
  const limited = await measure(limit);
  // The same limit without batching: what batching buys.
  const unbatched = await measure(limit, 1);
  const row = (label: string, size: number, m: Measured) => [
    label,
    String(size),
    m.seconds.toFixed(1),
    (jobs / m.seconds).toFixed(3),
    String(m.requests),
    (jobs / m.requests).toFixed(1),
    String(m.rateLimited),
    String(m.byRules),
  ];
  console.log(
    `extraction: ${jobs} prompts, shared browser at C = ${concurrency}, answer latency ${latency} ms ±50%, ` +
      `LLM latency ${llmLatency} ms, LLM_BATCH_WAIT_MS ${batchWaitMs}; ${loadLine()}\n`,
  );
  console.log(
    formatTable(
      [
        'LLM_RATE_PER_MIN',
        'LLM_BATCH_SIZE',
        'seconds',
        'prompts/s',
        'LLM requests',
        'answers/request',
        '429s',
        'by rules',
      ],
      [
        row('none', batchSize, free),
        row(String(limit), batchSize, limited),
        row(String(limit), 1, unbatched),
      ],
    ),
  );
  console.log(
    `\nthroughput with the limit ÷ without: ${(free.seconds / limited.seconds).toFixed(2)} (target ≥ 0.9); ` +
      `without batching: ${(free.seconds / unbatched.seconds).toFixed(2)}`,
  );
  console.log(
    `\nReproduce: ${reproduceCommand(import.meta.url, {
      concurrency,
      'latency-ms': latency,
      'llm-latency-ms': llmLatency,
      jobs,
      limit,
      'batch-size': batchSize,
      'batch-wait-ms': batchWaitMs,
    })}`,
  );
} finally {
  await dropAllBenchDatabases();
}
