// Every query of the Grafana dashboard returns data from a real Prometheus (Debian's `prometheus` package)
// scraping two real worker processes and an `avt serve` while they work through runs: the metric names,
// labels and PromQL of deploy/grafana/dashboard.json meet what the tracker exports. Skipped, saying so, when
// the prometheus binary is absent.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import type { RunningServer } from '../../src/serve/startServe.ts';
import { type TestDatabase, waitFor } from '../helpers/db.ts';
import { freePort } from '../helpers/freePort.ts';
import { createTrackingDatabase } from '../helpers/queue.ts';
import { startTestServer } from '../helpers/serve.ts';
import { type SpawnedWorker, spawnWorker } from '../helpers/workerProcess.ts';

const DASHBOARD = new URL('../../deploy/grafana/dashboard.json', import.meta.url);

interface Panel {
  title: string;
  targets: { refId: string; expr: string }[];
}

/** Grafana's own variables, as Grafana would fill them for the last minutes at a 1 s scrape interval. */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '1m' };

function hasPrometheus(): boolean {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let database: TestDatabase;
let mock: MockPlatform;
let serve: RunningServer;
const workers: SpawnedWorker[] = [];
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'avt-prometheus-'));

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await response.json()) as { status: string; error?: string; data: { result: [] } };
  assert.equal(body.status, 'success', `${expr}: ${body.error}`);
  return body.data.result;
}

before(async () => {
  if (!hasPrometheus()) return;
  database = await createTrackingDatabase();
  mock = await startMockPlatform({ port: 0, latencyMs: 0, llmLatencyMs: 0 });
  serve = await startTestServer(database);
  for (const id of ['1', '2']) {
    workers.push(
      spawnWorker(['--ai-source', 'chatgpt', '--worker-id', id, '--no-maintenance', '--metrics-port', '0'], {
        DATABASE_URL: database.url,
        LLM_BASE_URL: `${mock.url}/v1`,
      }),
    );
  }
  const ports = await Promise.all(
    workers.map(
      async (worker) =>
        ((await worker.waitForLog((line) => line.event === 'metrics:listening', 120_000)) as { port: number })
          .port,
    ),
  );
  await Promise.all(workers.map((worker) => worker.waitForLog((line) => line.event === 'worker:started')));
  // The job names of deploy/prometheus/prometheus.yml, static targets instead of Docker's DNS.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'avt-worker', static_configs: [{ targets: ports.map((port) => `127.0.0.1:${port}`) }] },
        { job_name: 'avt-serve', static_configs: [{ targets: [new URL(serve.url).host] }] },
      ],
    }),
  );
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    async () => (await query('up == 1').catch(() => [])).length === 3,
    20_000,
    'Prometheus up and its three targets scraped',
  );
});

after(async () => {
  // Prometheus gone before its data directory is removed.
  const stopped = prometheus && new Promise((resolve) => prometheus?.once('close', resolve));
  prometheus?.kill('SIGTERM');
  await stopped;
  for (const worker of workers) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await serve?.close();
  await mock?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('each query of the dashboard returns data while two workers process runs', {
  skip: hasPrometheus() ? false : 'prometheus not found: apt-get install prometheus (Debian) to run this',
}, async () => {
  // Answers (some after a pause, for the durations), retried failures and dead runs, over several seconds.
  const prompts = Array.from({ length: 16 }, (_, i) =>
    i % 4 === 0
      ? `fail:timeout slow ${i}`
      : i % 4 === 1
        ? `fail:bad_input bad ${i}`
        : `sleep:400 Which CRM ${i}?`,
  );
  await database.pool.query('INSERT INTO prompts (text) SELECT unnest($1::text[])', [prompts]);
  await waitFor(
    async () =>
      (
        await database.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM run_attempts WHERE outcome IS NOT NULL',
        )
      ).rows[0]?.n === prompts.length,
    40_000,
    'every run attempted once',
  );
  // Both workers' last counts scraped, and two samples of them at least (rate() needs two).
  await new Promise((resolve) => setTimeout(resolve, 2_500));

  const panels = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
  assert.ok(panels.length >= 10, 'the dashboard has its panels');
  const empty: string[] = [];
  for (const panel of panels) {
    for (const target of panel.targets) {
      const expr = Object.entries(GRAFANA_VARIABLES).reduce(
        (text, [name, value]) => text.replaceAll(name, value),
        target.expr,
      );
      const result = await query(expr);
      // Data: a series with a number (NaN is what a ratio of two zero rates gives: no data on a chart).
      if (!result.some(({ value }) => Number.isFinite(Number(value[1])))) {
        empty.push(`${panel.title} ${target.refId}: ${expr}`);
      }
    }
  }
  assert.deepEqual(empty, []);
  const workersScraped = await query('count by (ai_source) (avt_jobs_in_flight)');
  assert.equal(workersScraped[0]?.value[1], '2', 'both worker processes scraped');
});
