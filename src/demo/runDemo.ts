import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type pg from 'pg';
import { chromiumVersion, type FoundChromium, findChromium } from '../browser/findChromium.ts';
import { migrate } from '../db/migrate.ts';
import { redactUrl } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { withPool } from '../db/withPool.ts';
import { flavourFor } from '../mock/flavours/index.ts';
import { startMockPlatform } from '../mock/server.ts';
import { projectRoot } from '../paths.ts';
import { parseFilters } from '../serve/filters.ts';
import { writeReport } from '../serve/report.ts';
import { UsageError } from '../usageError.ts';
import { DEMO_CATEGORY, queueDemoRuns, seedDemo } from './demoData.ts';
import { watchRuns } from './progress.ts';
import { visibilityReport } from './report.ts';

export interface DemoOptions {
  prompts: number;
  /** undefined: every enabled source. */
  sources: string[] | undefined;
  latencyMs: number;
  concurrency: number;
  browser: 'per-job' | 'shared';
  /** Seeds the mock's samples; undefined: a fresh seed, so each run adds new samples of the same market. */
  seed?: number;
}

const workerEntry = fileURLToPath(new URL('../cli/worker.ts', import.meta.url));
const WORKER_EXIT_WAIT_MS = 60_000;

interface DemoWorker {
  source: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/**
 * The demo: the database (embedded unless DATABASE_URL is set), the bundled mock platform and mock LLM, the
 * demo's brands and prompts, one real worker process per source draining their runs behind a progress bar,
 * then the visibility report from the analysts' views. Resolves to the exit code.
 */
export function runDemo(options: DemoOptions, log: (line: string) => void): Promise<number> {
  return withPool('avt-demo', (pool, databaseUrl) => runDemoOn(pool, databaseUrl, options, log), 3);
}

async function runDemoOn(
  pool: pg.Pool,
  databaseUrl: string,
  options: DemoOptions,
  log: (line: string) => void,
): Promise<number> {
  const seed = options.seed ?? randomInt(1_000_000);
  // The market (which brands each site favours) stays the mock's default; only the samples follow the seed.
  const mock = await startMockPlatform({
    port: 0,
    latencyMs: options.latencyMs,
    latencyJitter: 0.3,
    sampleSeed: seed,
  });
  const workers: DemoWorker[] = [];
  const stopWorkers = () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
  };
  process.on('SIGINT', stopWorkers);
  process.on('SIGTERM', stopWorkers);
  try {
    await migrate(pool);
    const sources = await demoSources(pool, options.sources);
    const names = sources.map((source) => source.name);
    // Resolved once, here: the workers are handed its path rather than each unpacking a bundled one.
    const chromium = await findChromium();
    log(`${await chromiumVersion(chromium.executablePath)} (${chromium.origin}, ${chromium.executablePath})`);
    const { promptIds } = await seedDemo(pool, options.prompts);
    const runIds = await queueDemoRuns(pool, promptIds, names);
    log(
      `database ${redactUrl(databaseUrl)}; mock platform and mock LLM at ${mock.url}, ` +
        `seed ${seed} (--seed ${seed} asks for the same answers again)\n` +
        `${promptIds.length} prompts × ${names.length} sources = ${runIds.length} runs queued; ` +
        `one worker per source (${names.join(', ')}), ${options.browser} browser, concurrency ${options.concurrency}`,
    );

    for (const source of sources) workers.push(startWorker(source, options, databaseUrl, chromium, mock));
    const allExited = Promise.all(workers.map((worker) => worker.exited));
    const counts = await watchRuns(pool, runIds, allExited);
    // The workers (--once) exit by themselves once their runs are drained; a signal is only for stragglers.
    const straggling = setTimeout(stopWorkers, WORKER_EXIT_WAIT_MS);
    const codes = await allExited;
    clearTimeout(straggling);

    console.log(`\n${await visibilityReport(pool, DEMO_CATEGORY, names)}\n`);
    const report = await writeReport(pool, parseFilters({ category: DEMO_CATEGORY }), demoReportPath());
    const pending = counts.total - counts.done - counts.dead;
    log(
      `${counts.done} runs done, ${counts.dead} dead${pending ? `, ${pending} still queued (retrying later)` : ''}. ` +
        'Read the figures yourself: psql, then SELECT * FROM brand_visibility; (docs/numbers.md).\n' +
        `These figures day by day over the last 30 days, with charts: ${pathToFileURL(report.path).href} ` +
        '(open it in a browser; avt serve shows them live).',
    );
    let exitCode = 0;
    workers.forEach((worker, index) => {
      if (codes[index] === 0) return;
      exitCode = 1;
      log(
        `the ${worker.source} worker exited with ${codes[index]}:\n${worker.stderr().trim().slice(-2_000)}`,
      );
    });
    return exitCode;
  } finally {
    stopWorkers();
    await Promise.all(workers.map((worker) => worker.exited));
    process.off('SIGINT', stopWorkers);
    process.off('SIGTERM', stopWorkers);
    await mock.close();
  }
}

/** Where the demo writes its report: beside the embedded database (.avt/, or AVT_DATA_DIR), out of git's way. */
function demoReportPath(): string {
  return join(process.env.AVT_DATA_DIR ?? join(projectRoot, '.avt'), 'report.html');
}

/** A source to run, and the mock flavour that stands in for its site. */
interface DemoSource {
  name: string;
  flavour: string;
}

async function demoSources(pool: Queryable, wanted: string[] | undefined): Promise<DemoSource[]> {
  const { rows } = await pool.query<{ name: string; enabled: boolean }>(
    'SELECT name, enabled FROM ai_sources ORDER BY name',
  );
  const known = new Map(rows.map((row) => [row.name, row.enabled]));
  const names = wanted ?? rows.filter((row) => row.enabled).map((row) => row.name);
  const sources: DemoSource[] = [];
  for (const source of names) {
    if (!known.has(source)) {
      throw new UsageError(`unknown AI source '${source}'; known sources: ${[...known.keys()].join(', ')}`);
    }
    if (!known.get(source)) {
      throw new UsageError(`the source '${source}' is disabled (UPDATE ai_sources SET enabled = true ...)`);
    }
    const flavour = flavourFor(source);
    if (!flavour) throw new UsageError(`the mock platform has no pages for the source '${source}'`);
    sources.push({ name: source, flavour: flavour.name });
  }
  if (sources.length === 0) throw new UsageError('no enabled AI source to run the demo on');
  return sources;
}

/**
 * The demo's workers serve no metrics: a METRICS_PORT in the environment (the image sets one) would have
 * them all ask for the same port.
 */
export function withoutMetricsPort(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { METRICS_PORT: _metricsPort, ...rest } = env;
  return rest;
}

function startWorker(
  { name: source, flavour }: DemoSource,
  options: DemoOptions,
  databaseUrl: string,
  chromium: FoundChromium,
  mock: { url: string; llmBaseUrl: string },
): DemoWorker {
  const child = spawn(
    process.execPath,
    [
      workerEntry,
      ...['--ai-source', source, '--worker-id', '1', '--once', '--no-maintenance', '--log-level', 'warn'],
      ...['--browser', options.browser, '--concurrency', String(options.concurrency)],
      ...['--base-url', `${mock.url}/${flavour}/`],
    ],
    {
      env: {
        ...withoutMetricsPort(process.env),
        DATABASE_URL: databaseUrl,
        CHROMIUM_PATH: chromium.executablePath,
        LLM_BASE_URL: mock.llmBaseUrl,
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { source, child, exited, stderr: () => stderr };
}
