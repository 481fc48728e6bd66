// Shared by the benchmarks: throwaway databases on the server named by DATABASE_URL, the queue's
// single-source setup, the correctness check after a run, and the line that reproduces a run.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { redactUrl } from '../src/db/pool.ts';
import type { RunResult } from '../src/job/result.ts';
import { projectRoot } from '../src/paths.ts';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The source every benchmark runs on; all other sources are disabled so the fan-out makes one run per prompt. */
export const BENCH_SOURCE = 'chatgpt';

export function adminUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_ADMIN_URL;
}

export function databaseUrl(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** A command-line option that must be a whole number of 1 or more. */
export function positiveArg(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), application_name: 'avt-bench-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const live = new Set<string>();

/** A fresh database `avt_bench_<label>_<pid>_<random>`, migrated with the queue schema unless `migrated: false`. */
export async function createBenchDatabase(
  label: string,
  options: { migrated: boolean },
): Promise<BenchDatabase> {
  const name = `avt_bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  live.add(name);
  const url = databaseUrl(name);
  if (options.migrated) {
    const pool = benchPool(url, 1, 'avt-bench-migrate');
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
  }
  return { name, url, drop: () => dropDatabase(name) };
}

/** Waits (up to 3 s) for the database's sessions to go, so that a closing pool is not cut off, then drops it. */
async function dropDatabase(name: string): Promise<void> {
  await admin(async (client) => {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if ((rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
      await sleep(20);
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  live.delete(name);
}

/** Drops whatever this process created and has not dropped yet (after a failure). */
export async function dropAllBenchDatabases(): Promise<void> {
  for (const name of [...live]) await dropDatabase(name).catch(() => {});
}

/** A pool whose idle-client errors are reported rather than thrown (they would kill the process). */
export function benchPool(url: string, max: number, applicationName: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
  pool.on('error', (error) => console.error(`[${applicationName}] idle client error: ${error.message}`));
  pool.on('connect', (client) => {
    client.on('error', (error) => console.error(`[${applicationName}] client error: ${error.message}`));
  });
  return pool;
}

/** Only BENCH_SOURCE is enabled; its cap is `maxConcurrency` (NULL = unthrottled claims). */
export async function useSingleSource(pool: pg.Pool, maxConcurrency: number | null): Promise<void> {
  await pool.query(
    `UPDATE ai_sources SET enabled = (name = $1),
       max_concurrency = CASE WHEN name = $1 THEN $2::integer ELSE max_concurrency END, min_interval_ms = 0`,
    [BENCH_SOURCE, maxConcurrency],
  );
}

/** Fails loudly unless every run is done, once, with exactly one response each. */
export async function assertAllDone(pool: pg.Pool, expected: number, what: string): Promise<void> {
  const { rows } = await pool.query<Record<string, number>>(
    `SELECT count(*)::int AS runs,
            count(*) FILTER (WHERE status = 'done')::int AS done,
            count(*) FILTER (WHERE attempts = 1)::int AS single_attempt,
            (SELECT count(*)::int FROM responses) AS responses,
            (SELECT count(DISTINCT run_id)::int FROM responses) AS runs_with_response,
            (SELECT count(*)::int FROM run_attempts WHERE outcome = 'done') AS attempts_done
     FROM prompt_runs`,
  );
  const got = rows[0] ?? {};
  const want = {
    runs: expected,
    done: expected,
    single_attempt: expected,
    responses: expected,
    runs_with_response: expected,
    attempts_done: expected,
  };
  const bad = Object.entries(want).filter(([key, value]) => got[key] !== value);
  if (bad.length > 0) {
    throw new Error(
      `${what}: correctness check failed: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
    );
  }
}

/** The command line that reproduces this run, e.g. `DATABASE_URL=... node bench/dispatch.ts --jobs 5000`. */
export function reproduceCommand(scriptUrl: string, args: Record<string, string | number>): string {
  const script = relative(projectRoot, new URL(scriptUrl).pathname);
  const flags = Object.entries(args).map(([key, value]) => `--${key} ${value}`);
  return [`DATABASE_URL='${redactUrl(adminUrl())}'`, 'node_modules/.bin/node', script, ...flags].join(' ');
}

/** The value at quantile q (0..1) of ascending `sorted`, nearest-rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Left-aligns the first column and right-aligns the rest. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (ms) used so far by each server process serving `database`, read from /proc: only meaningful
 * when Postgres runs on this machine; empty otherwise. Sessions of `excludeApplication` are left out.
 */
export async function backendCpuMs(
  pool: pg.Pool,
  database: string,
  excludeApplication: string,
): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name <> $2',
    [database, excludeApplication],
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // not a local process (remote server, other pid namespace) or already gone
    }
  }
  return cpu;
}

/** CPU used between two backendCpuMs snapshots; sessions that appeared meanwhile count in full. */
export function cpuSpentMs(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** The result a no-op job commits: an answer and nothing found in it. */
export const NOOP_RESULT: RunResult = {
  response: { answerText: 'ok', model: 'noop', durationMs: 0, captureMode: 'api' },
  mentions: [],
  citations: [],
};

/** Opens `n` connections at once so that no job pays for connecting. */
export async function warmPool(pool: pg.Pool, n: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: n }, () => pool.connect()));
  for (const client of clients) client.release();
}

/** A process's proportional set size (kB), 0 once it has gone; reading smaps_rollup costs: sample rarely. */
export function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The 1-minute load average next to the core count: a busy machine skews every figure here. */
export function loadLine(): string {
  return `load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores`;
}

const workerBin = fileURLToPath(new URL('../bin/worker', import.meta.url));

/** `count` prompts a CRM buyer might ask, in one statement (each fans out into one run per enabled source). */
export async function insertCrmPrompts(pool: pg.Pool, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO prompts (text) SELECT 'Which CRM suits team #' || i || '?' FROM generate_series(1, $1) AS i`,
    [count],
  );
}

/**
 * A real `bin/worker --once` on the benchmark's source (its logs off, its errors shown): `exited` resolves
 * when it has drained the queue and exited 0, and rejects, naming `what`, when it exits otherwise.
 */
export function runBenchWorker(
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
): { pid: number | undefined; exited: Promise<void> } {
  const child = spawn(
    workerBin,
    [...['--ai-source', BENCH_SOURCE, '--worker-id', '1', '--once', '--log-level', 'warn'], ...args],
    { env: { ...env, LOG_FORMAT: 'json' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code}`)))),
  );
  return { pid: child.pid, exited };
}
