// avt serve at a month's volume: fills a fresh database with N answers through the real write path
// (bench/monthOfAnswers.ts), starts `avt serve` replicas as separate processes, and times the overview's API
// calls as a dashboard makes them: cold (each request asks something the replica has not cached), warm (the
// replica's cache answers) and revalidated (If-None-Match with the current ETag: 304), with one replica and
// with two behind a round-robin client. Targets: p95 at most 150 ms cold, at most 10 ms for a 304.
//
//   node_modules/.bin/node bench/serve.ts [--answers 1000000] [--requests 300] [--concurrency 8]
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import {
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  positiveArg,
  quantile,
  reproduceCommand,
} from './lib.ts';
import { fillMonthOfAnswers, SOURCES } from './monthOfAnswers.ts';

const { values: args } = parseArgs({
  options: {
    answers: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});
const ANSWERS = positiveArg('answers', args.answers);
const REQUESTS = positiveArg('requests', args.requests);
const CONCURRENCY = positiveArg('concurrency', args.concurrency);
const DAYS = 30;
const TARGETS = { cold: 150, warm: null, revalidated: 10 } as const;

const avt = fileURLToPath(new URL('../bin/avt', import.meta.url));
const dispatcher = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 30_000 });

/** The overview's API calls for one filter set (what /, the overview page, reads). */
function overviewCalls(since: string, source: string | null): string[] {
  const filter = `since=${since}${source ? `&ai_source=${source}` : ''}`;
  return [
    `/api/figures/brands?${filter}&grain=day`,
    `/api/figures/citations/domains?${filter}&limit=20`,
    `/api/figures/citations/brands?${filter}`,
  ];
}

async function startReplica(
  databaseUrl: string,
  port: number,
): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(avt, ['serve', '--port', String(port), '--log-level', 'warn'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, AVT_API_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 200; tries += 1) {
    try {
      const response = await request(`${url}/healthz`, { dispatcher });
      await response.body.dump();
      if (response.statusCode === 200) return { url, process: child };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`avt serve on port ${port} did not come up`);
}

interface Sample {
  ms: number;
  status: number;
}

/** Sends `paths` (each once, CONCURRENCY at a time) round-robin over `urls`; with etags, as revalidations. */
async function drive(
  urls: string[],
  paths: string[],
  etags?: Map<string, string>,
): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < paths.length) {
        const index = next++;
        const path = paths[index] as string;
        const url = urls[index % urls.length] as string;
        const etag = etags?.get(path);
        const began = performance.now();
        const response = await request(`${url}${path}`, {
          dispatcher,
          headers: { 'accept-encoding': 'gzip', ...(etag ? { 'if-none-match': etag } : {}) },
        });
        await response.body.dump();
        samples.push({ ms: performance.now() - began, status: response.statusCode });
        if (!etags && response.headers.etag) lastEtags.set(path, String(response.headers.etag));
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}
const lastEtags = new Map<string, string>();

function row(
  scenario: keyof typeof TARGETS,
  replicas: number,
  run: { samples: Sample[]; seconds: number },
  expected: number,
): string[] {
  const sorted = run.samples.map((s) => s.ms).sort((a, b) => a - b);
  const p95 = quantile(sorted, 0.95);
  const target = TARGETS[scenario];
  const wrong = run.samples.filter((s) => s.status !== expected).length;
  if (wrong > 0 || (target !== null && p95 > target)) process.exitCode = 1;
  return [
    scenario,
    String(replicas),
    String(run.samples.length),
    (run.samples.length / run.seconds).toFixed(0),
    quantile(sorted, 0.5).toFixed(1),
    p95.toFixed(1),
    target === null ? '' : `<= ${target}`,
    wrong > 0 ? `${wrong} not ${expected}` : target === null || p95 <= target ? 'ok' : 'MISSED',
  ];
}

async function main(): Promise<void> {
  const database = await createBenchDatabase('serve', { migrated: true });
  const pool = benchPool(database.url, 5, 'avt-bench-serve');
  const replicas: ChildProcess[] = [];
  try {
    const rate = await fillMonthOfAnswers(pool, { answers: ANSWERS, days: DAYS, loops: 4, batch: 50 });
    console.error(`filled at ${rate.toFixed(0)} answers/s; starting avt serve`);
    const one = await startReplica(database.url, 18_301);
    const two = await startReplica(database.url, 18_302);
    replicas.push(one.process, two.process);

    // Distinct filter sets: each a miss the first time a replica is asked (its cache holds none of them).
    const today = Date.now();
    const filterSets = Array.from({ length: Math.ceil(REQUESTS / 3) }, (_, i) => ({
      since: new Date(today - (7 + (i % 23)) * 86_400_000).toISOString().slice(0, 10),
      source: i % 7 === 6 ? null : (SOURCES[i % SOURCES.length] as string),
    }));
    const unique = [...new Set(filterSets.map((f) => JSON.stringify(f)))].map(
      (f) => JSON.parse(f) as (typeof filterSets)[number],
    );
    const coldPaths = unique.flatMap((f) => overviewCalls(f.since, f.source));
    const hotPaths = Array.from({ length: REQUESTS }, (_, i) => coldPaths[i % coldPaths.length] as string);

    const table: string[][] = [];
    for (const urls of [[one.url], [one.url, two.url]]) {
      // A results change empties every replica's cache (NOTIFY avt_results, as a commit does).
      await pool.query(`NOTIFY avt_results`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const cold = await drive(urls, coldPaths.slice(0, REQUESTS));
      table.push(row('cold', urls.length, cold, 200));
      table.push(row('warm', urls.length, await drive(urls, hotPaths), 200));
      // The 304 path's first calls compile it; a third of a run, untimed, first.
      await drive(urls, hotPaths.slice(0, Math.ceil(hotPaths.length / 3)), lastEtags);
      table.push(row('revalidated', urls.length, await drive(urls, hotPaths, lastEtags), 304));
    }
    console.log(
      `\n${ANSWERS} answers over ${DAYS} days; the overview's three API calls, ${CONCURRENCY} at a time\n`,
    );
    console.log(
      formatTable(
        ['scenario', 'replicas', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'target p95', 'check'],
        table,
      ),
    );
    console.log(`\n${loadLine()}.`);
    console.log(
      `Reproduce: ${reproduceCommand(import.meta.url, { answers: ANSWERS, requests: REQUESTS, concurrency: CONCURRENCY })}`,
    );
  } finally {
    for (const child of replicas) child.kill('SIGTERM');
    await pool.end();
    await dispatcher.close();
    if (!args.keep) await database.drop();
    else console.log(`kept the database: ${database.url}`);
  }
}

try {
  await main();
} finally {
  await dropAllBenchDatabases();
}
