import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import type { OwnPostgres } from '../../test/helpers/ownPostgres.ts';
import { Fleet } from './fleet.ts';
import type { FaultWindow, Phases, Scenario } from './scenarios.ts';
import { MONITOR_APP, Timeline } from './timeline.ts';

export interface BatchOptions {
  prompts: number;
  sources: string[];
  workersPerSource: number;
  concurrency: number;
  leaseSeconds: number;
  /** Every n-th prompt asks the mock for a permanent fault (`[[fault:blank]]`); 0: none. */
  faultEvery: number;
  /** The fault comes once this share of the runs has ended. */
  faultAt: number;
  /** A scenario fails once no run has ended for this many seconds. */
  stallS: number;
  chromiumPath: string;
  mockUrl: string;
  llmBaseUrl: string;
  logDir: string;
  /** Sample the workers' and browsers' memory every 5 s (the bench; it costs kernel time). */
  measureMemory?: boolean;
}

/** verify.sql's one row. */
export interface Verdict {
  runs: number;
  done: number;
  dead: number;
  faulty: number;
  running: number;
  unfinished: number;
  dead_unasked: number;
  done_despite_fault: number;
  duplicated: number;
  done_without_response: number;
  response_not_done: number;
  attempts_mismatch: number;
  done_attempt_mismatch: number;
  attempt_rows: number;
  open_attempts: number;
  lease_expired: number;
  released: number;
  retried: number;
}

export interface ScenarioResult {
  name: string;
  verdict: Verdict;
  fault: FaultWindow | undefined;
  /** Runs ended per second in the 30 s before the fault. */
  baselineRate: number;
  /** Seconds from the fault's start to a 15 s window at 80% of the baseline rate; undefined: never. */
  recoverS: number | undefined;
  wallS: number;
  browsersSeen: number;
  browsersLeft: number;
  /** Runs ended per second between 10% and 90% of the batch: the steady state, without ramp-up and drain. */
  steadyRate: number;
  failures: string[];
}

const VERIFY_SQL = readFileSync(new URL('./verify.sql', import.meta.url), 'utf8');
const RECOVERY_SHARE = 0.8;
// Jobs end in waves (slots that start together finish together), so a rate is only steady over several of
// them: a 5 s window read anywhere from a quarter to three times the mean.
const RECOVERY_WINDOW_S = 15;
const BASELINE_WINDOW_S = 30;

/**
 * One scenario on a database of its own: the batch queued with one INSERT, the fleet started, the fault
 * injected once `faultAt` of the runs have ended, the batch drained, the fleet stopped (SIGTERM), then every
 * guarantee checked. `scenario` undefined: the batch alone, no fault (the bench's clean run).
 */
export async function runScenario(
  server: OwnPostgres,
  scenario: Scenario | undefined,
  phases: Phases,
  options: BatchOptions,
): Promise<ScenarioResult & { fleet: Fleet; timeline: Timeline }> {
  const name = scenario?.name ?? 'clean';
  const database = `chaos_${name}`;
  await withAdmin(server.url, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  });
  const databaseUrl = server.urlOf(database);
  const totalRuns = await queueBatch(databaseUrl, options);
  const logDir = join(options.logDir, name);
  await mkdir(logDir, { recursive: true });

  const timeline = new Timeline(databaseUrl);
  timeline.start(250);
  const fleet = new Fleet({ ...options, databaseUrl, logDir });
  const memory = options.measureMemory ? setInterval(() => fleet.measureMemory(), 5_000) : undefined;
  const failures: string[] = [];
  let fault: FaultWindow | undefined;
  let baselineRate = 0;
  try {
    if (scenario) {
      await timeline.until(Math.ceil(totalRuns * options.faultAt), options.stallS);
      const before = timeline.now();
      // From the first run ended at the earliest: the workers' start-up is not their speed.
      const firstEnded = timeline.when(1) ?? 0;
      baselineRate = timeline.rate(Math.max(firstEnded, before - BASELINE_WINDOW_S), before);
      fault = await scenario.inject({ fleet, server, database, timeline, totalRuns, phases });
    }
    if (!(await timeline.until(totalRuns, options.stallS))) {
      failures.push(
        `${totalRuns - timeline.latest()} runs had not ended, and none had for ${options.stallS} s`,
      );
    }
  } finally {
    clearInterval(memory);
    await fleet.stop();
    await timeline.stop();
  }
  const wallS = timeline.now();
  const left = await fleet.leftBehind(10_000);
  const verdict = await withAdmin(databaseUrl, async (client) => {
    const { rows } = await client.query<Verdict>(VERIFY_SQL);
    if (!rows[0]) throw new Error('verify.sql returned no row');
    return rows[0];
  });
  failures.push(...verdictFailures(verdict, totalRuns));
  if (left.length > 0) {
    failures.push(`left behind: ${left.map((process) => `${process.name} (${process.pid})`).join(', ')}`);
  }
  if (fleet.unexpectedExits.length > 0) failures.push(`workers: ${fleet.unexpectedExits.join('; ')}`);
  const own = scenario?.check?.({ fleet, server, database, timeline, totalRuns, phases });
  if (own) failures.push(own);
  const recoveredAt = fault
    ? timeline.recoveredAt(fault.endS, baselineRate, RECOVERY_SHARE, RECOVERY_WINDOW_S)
    : undefined;
  const tenth = timeline.when(totalRuns * 0.1);
  const ninetieth = timeline.when(totalRuns * 0.9);
  return {
    name,
    verdict,
    steadyRate: tenth !== undefined && ninetieth !== undefined ? timeline.rate(tenth, ninetieth) : 0,
    fault,
    baselineRate,
    recoverS: recoveredAt === undefined || !fault ? undefined : recoveredAt - fault.startS,
    wallS,
    browsersSeen: fleet.browsersSeen(),
    browsersLeft: left.length,
    failures,
    fleet,
    timeline,
  };
}

/** The batch: `prompts` prompts in one INSERT, each fanned out into one run per source by the trigger. */
async function queueBatch(databaseUrl: string, options: BatchOptions): Promise<number> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    application_name: `${MONITOR_APP}-admin`,
  });
  try {
    await migrate(pool);
    await pool.query('UPDATE ai_sources SET enabled = (name = ANY($1))', [options.sources]);
    const { rowCount } = await pool.query(
      `INSERT INTO prompts (text)
       SELECT 'Which CRM suits team #' || i || '?' ||
              CASE WHEN $2 > 0 AND i % $2 = 0 THEN ' [[fault:blank]]' ELSE '' END
         FROM generate_series(1, $1) AS i`,
      [options.prompts, options.faultEvery],
    );
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM prompt_runs');
    const runs = Number(rows[0]?.n);
    if (runs !== (rowCount ?? 0) * options.sources.length) {
      throw new Error(
        `${rowCount} prompts made ${runs} runs, not one per source (${options.sources.length})`,
      );
    }
    return runs;
  } finally {
    await pool.end();
  }
}

function verdictFailures(v: Verdict, totalRuns: number): string[] {
  const failures: string[] = [];
  const expect = (count: number, what: string) => {
    if (count !== 0) failures.push(`${count} ${what}`);
  };
  if (v.runs !== totalRuns) failures.push(`${v.runs} runs in the database, ${totalRuns} queued`);
  expect(v.running, 'runs left running');
  expect(v.unfinished, 'runs not ended (lost)');
  expect(v.dead_unasked, 'runs dead without an injected permanent fault');
  expect(v.done_despite_fault, 'runs done despite a permanent fault');
  expect(v.duplicated, 'runs with more than one response (duplicated)');
  expect(v.done_without_response, 'done runs without a response');
  expect(v.response_not_done, 'runs with a response that are not done');
  expect(v.attempts_mismatch, 'runs whose attempts do not match their run_attempts rows');
  expect(v.done_attempt_mismatch, 'done runs without exactly one done attempt');
  expect(v.open_attempts, 'attempts left open');
  return failures;
}

async function withAdmin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: `${MONITOR_APP}-admin` });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
