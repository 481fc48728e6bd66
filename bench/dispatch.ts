// Dispatch throughput of no-op jobs: this queue (claims and commits as the worker makes them) against graphile-worker
// and pg-boss, with 1 and with several worker processes, each run on a fresh database of its own.
//
//   node_modules/.bin/node bench/dispatch.ts [--jobs 5000] [--concurrency 4] [--processes 4]
//
// The parent process creates the databases, enqueues, starts the worker processes (this same script with
// --worker), times the run and checks the outcome; it does no queue work itself. Timing starts once the
// jobs are committed and every worker process is connected and idle, and ends when a 20 ms poll of the
// database sees no job left unfinished.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Logger, makeWorkerUtils, run as runGraphileWorker, runMigrations } from 'graphile-worker';
import type pg from 'pg';
import { PgBoss } from 'pg-boss';
import { type ClaimedRun, claimNextPrompt, commitResult, QueueClient } from '../src/queue/index.ts';
import { BenchChildren } from './children.ts';
import {
  assertAllDone,
  BENCH_SOURCE,
  type BenchDatabase,
  backendCpuMs,
  benchPool,
  cpuSpentMs,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  NOOP_RESULT,
  reproduceCommand,
  sleep,
  useSingleSource,
  warmPool,
} from './lib.ts';

type System = 'ours' | 'graphile' | 'pgboss';

/** The no-op job's name in graphile-worker and pg-boss. */
const TASK = 'noop';
const POLL_MS = 20;
/** The parent's own sessions (enqueue, progress polls): left out of the server CPU figures. */
const MONITOR_APP = 'avt-bench-monitor';
const RUN_TIMEOUT_MS = 120_000;

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '4' },
    processes: { type: 'string', default: '4' },
    // worker mode (the parent passes these to its children)
    worker: { type: 'string' },
    url: { type: 'string' },
    index: { type: 'string', default: '0' },
    unbatched: { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

type ToChild = { type: 'go' } | { type: 'stop' };
type FromChild =
  | { type: 'ready' }
  | { type: 'stopped'; processed: number; cpuMs: number }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------------------------------------------------
// Worker mode: one process, `concurrency` job loops, started on `go`, stopped on `stop`.

interface BenchWorker {
  go(): Promise<void>;
  /** Stops and returns how many jobs this process's handlers ran. */
  stop(): Promise<number>;
}

async function oursWorker(
  url: string,
  concurrency: number,
  index: number,
  unbatched: boolean,
): Promise<BenchWorker> {
  const pool = benchPool(url, concurrency, `avt-bench-worker-${index}`);
  await warmPool(pool, concurrency);
  let processed = 0;
  let stopping = false;
  let loops: Promise<void>[] = [];
  const params = { workerId: index + 1, aiSource: BENCH_SOURCE, workerTag: `bench-${process.pid}` };
  const queue = new QueueClient(pool, params);
  // Unbatched: a statement per claim and per commit (claimNextPrompt, commitResult), the baseline of batching.
  const claim = unbatched ? () => claimNextPrompt(pool, params) : () => queue.claim();
  const commit = unbatched
    ? (run: ClaimedRun) => commitResult(pool, run, NOOP_RESULT)
    : (run: ClaimedRun) => queue.commit(run, NOOP_RESULT);
  const loop = async () => {
    // As the worker's slots do: the next claim goes out while the last result commits.
    let committing: Promise<unknown> = Promise.resolve();
    while (!stopping) {
      const run = await claim();
      await committing;
      if (run) {
        committing = commit(run);
        processed++;
        continue;
      }
      // Nothing claimable: either the queue is drained, or (capped source) every lease slot is taken.
      const { rows } = await pool.query<{ more: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM prompt_runs WHERE status = 'queued') AS more`,
      );
      if (!rows[0]?.more) return;
      await sleep(2);
    }
    await committing;
  };
  return {
    go: async () => {
      loops = Array.from({ length: concurrency }, () => loop());
    },
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      await pool.end();
      return processed;
    },
  };
}

async function graphileWorker(url: string, concurrency: number, index: number): Promise<BenchWorker> {
  // graphile-worker's defaults, except: a pre-connected pool of its default size (10), and a logger that
  // keeps warnings and errors but drops the per-job "Completed task" info line (console I/O, not queue work).
  const pool = benchPool(url, 10, `graphile-bench-worker-${index}`);
  await warmPool(pool, concurrency + 1);
  const logger = new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`[graphile-worker] ${level}: ${message}`);
  });
  let processed = 0;
  // Started before the parent adds the jobs: graphile-worker's own NOTIFY on insert wakes it.
  const runner = await runGraphileWorker({
    pgPool: pool,
    concurrency,
    noHandleSignals: true,
    logger,
    taskList: {
      [TASK]: async () => {
        processed++;
      },
    },
  });
  return {
    go: async () => {},
    stop: async () => {
      await runner.stop();
      await pool.end();
      return processed;
    },
  };
}

async function pgBossWorker(url: string, concurrency: number): Promise<BenchWorker> {
  const boss = new PgBoss({ connectionString: url });
  boss.on('error', (error) => console.error('[pg-boss] error:', error));
  await boss.start();
  // Open the connections the job loops will use before the clock starts, as the other two do.
  const bossDb = boss.getDb();
  await Promise.all(
    Array.from({ length: concurrency + 1 }, () => bossDb.executeSql('SELECT pg_sleep(0.02)')),
  );
  let processed = 0;
  return {
    go: async () => {
      // One job per fetch, `concurrency` fetch loops, like the other two. burstWhenReadyExceeds: 0 makes a
      // loop fetch again at once while its last fetch found a job; pg-boss's default waits out the 2 s
      // polling interval between fetches, i.e. at most 0.5 jobs/s per loop.
      await boss.work(
        TASK,
        { localConcurrency: concurrency, batchSize: 1, burstWhenReadyExceeds: 1 },
        async (jobs) => {
          processed += jobs.length;
        },
      );
    },
    stop: async () => {
      await boss.stop({ graceful: true, close: true });
      return processed;
    },
  };
}

async function workerMain(system: System): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  const url = args.url;
  if (!url) throw new Error('--url is required in worker mode');
  const concurrency = positiveInt('concurrency', args.concurrency);
  const index = Number(args.index);
  try {
    const worker =
      system === 'ours'
        ? await oursWorker(url, concurrency, index, args.unbatched === true)
        : system === 'graphile'
          ? await graphileWorker(url, concurrency, index)
          : await pgBossWorker(url, concurrency);
    let cpuAtReady = process.cpuUsage();
    process.on('message', (message: ToChild) => {
      const handle = async () => {
        if (message.type === 'go') await worker.go();
        else if (message.type === 'stop') {
          const { user, system } = process.cpuUsage(cpuAtReady);
          const processed = await worker.stop();
          send({ type: 'stopped', processed, cpuMs: (user + system) / 1000 });
          process.disconnect();
        }
      };
      handle().catch((error: Error) => {
        send({ type: 'error', message: error.stack ?? String(error) });
        process.exit(1);
      });
    });
    cpuAtReady = process.cpuUsage();
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'error', message: (error as Error).stack ?? String(error) });
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parent mode.

interface Case {
  system: System;
  processes: number;
  /** ours only: the source's max_concurrency (NULL = unthrottled). */
  cap?: number | null;
  /** ours only: one statement per claim and per commit, instead of the worker's QueueClient. */
  unbatched?: boolean;
}

interface Outcome {
  label: string;
  system: System;
  processes: number;
  seconds: number;
  /** CPU time of the worker processes, and of the Postgres sessions serving them, per job. */
  workerCpuMsPerJob: number;
  serverCpuMsPerJob: number | null;
}

class Workers extends BenchChildren<FromChild> {
  constructor(system: System, url: string, processes: number, concurrency: number, unbatched = false) {
    super(import.meta.url, processes, (index) => [
      ...['--worker', system, '--url', url, '--concurrency', String(concurrency), '--index', String(index)],
      ...(unbatched ? ['--unbatched'] : []),
    ]);
  }

  /** Stops every process; the jobs their handlers ran and the CPU they used since they were ready. */
  async stop(): Promise<{ processed: number; cpuMs: number }> {
    const messages = await Promise.all(
      this.children.map((child) => this.ask(child, { type: 'stop' } satisfies ToChild, 'stopped')),
    );
    await Promise.all(
      this.children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null,
      ),
    );
    let processed = 0;
    let cpuMs = 0;
    for (const m of messages) {
      processed += m.processed;
      cpuMs += m.cpuMs;
    }
    return { processed, cpuMs };
  }
}

/** Polls `remaining` until it is 0; returns the moment it was seen 0. */
async function waitUntilDone(
  workers: Workers,
  remaining: () => Promise<number>,
  what: string,
): Promise<number> {
  const deadline = performance.now() + RUN_TIMEOUT_MS;
  for (;;) {
    workers.check();
    if ((await remaining()) === 0) return performance.now();
    if (performance.now() > deadline) throw new Error(`${what}: not done after ${RUN_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

async function count(pool: pg.Pool, query: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(query, params);
  return rows[0]?.n ?? Number.NaN;
}

function caseLabel(c: Case): string {
  if (c.system === 'graphile') return 'graphile-worker';
  if (c.system === 'pgboss') return 'pg-boss';
  if (c.unbatched) return 'ours (uncapped, unbatched)';
  return c.cap === null ? 'ours (uncapped)' : `ours (max_concurrency ${c.cap})`;
}

async function runCase(c: Case, jobs: number, concurrency: number): Promise<Outcome> {
  const label = caseLabel(c);
  const what = `${label}, ${c.processes} process(es)`;
  const database: BenchDatabase = await createBenchDatabase(c.system, { migrated: c.system === 'ours' });
  const pool = benchPool(database.url, 2, MONITOR_APP);
  const serverCpu = () => backendCpuMs(pool, database.name, MONITOR_APP);
  let workers: Workers | null = null;
  try {
    let start = 0;
    let cpuBefore = new Map<number, number>();
    let remaining: () => Promise<number>;
    if (c.system === 'ours') {
      await useSingleSource(pool, c.cap ?? null);
      // One statement; the fan-out trigger makes one queued run per prompt (only BENCH_SOURCE is enabled).
      await pool.query(
        `INSERT INTO prompts (text) SELECT 'bench prompt ' || i FROM generate_series(1, $1) AS i`,
        [jobs],
      );
      workers = new Workers(c.system, database.url, c.processes, concurrency, c.unbatched);
      await workers.ready();
      cpuBefore = await serverCpu();
      start = performance.now();
      workers.go();
      remaining = () => count(pool, `SELECT count(*)::int AS n FROM prompt_runs WHERE status <> 'done'`);
    } else if (c.system === 'graphile') {
      await runMigrations({ connectionString: database.url, logger: new Logger(() => () => {}) });
      workers = new Workers(c.system, database.url, c.processes, concurrency);
      await workers.ready();
      cpuBefore = await serverCpu();
      const utils = await makeWorkerUtils({ pgPool: pool });
      try {
        const specs = Array.from({ length: jobs }, (_, i) => ({ identifier: TASK, payload: { i } }));
        await utils.addJobs(specs);
      } finally {
        await utils.release();
      }
      // The runners are idle and listening; the jobs became visible when addJobs committed.
      start = performance.now();
      workers.go();
      remaining = () => count(pool, 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
    } else {
      const boss = new PgBoss({ connectionString: database.url, supervise: false, schedule: false });
      boss.on('error', (error) => console.error('[pg-boss] error:', error));
      await boss.start();
      await boss.createQueue(TASK);
      for (let offset = 0; offset < jobs; offset += 1000) {
        const batch = Array.from({ length: Math.min(1000, jobs - offset) }, (_, i) => ({
          data: { i: offset + i },
        }));
        await boss.insert(TASK, batch);
      }
      // A monitor pass records the backlog in pgboss.queue.ready_count, which the workers cache at start and
      // which their burst mode reads.
      await boss.supervise(TASK);
      await boss.stop({ graceful: true, close: true });
      workers = new Workers(c.system, database.url, c.processes, concurrency);
      await workers.ready();
      cpuBefore = await serverCpu();
      start = performance.now();
      workers.go();
      remaining = () =>
        count(pool, `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state <> 'completed'`, [
          TASK,
        ]);
    }

    const end = await waitUntilDone(workers, remaining, what);
    const serverCpuMs = cpuSpentMs(cpuBefore, await serverCpu());
    const { processed: handled, cpuMs: workerCpuMs } = await workers.stop();
    workers = null;

    // Correctness: every job ran once and finished.
    if (handled !== jobs) throw new Error(`${what}: handlers ran ${handled} jobs, expected ${jobs}`);
    if (c.system === 'ours') await assertAllDone(pool, jobs, what);
    if (c.system === 'graphile') {
      const left = await count(pool, 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
      if (left !== 0) throw new Error(`${what}: ${left} jobs left in graphile_worker`);
    }
    if (c.system === 'pgboss') {
      const completed = await count(
        pool,
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed' AND retry_count = 0`,
        [TASK],
      );
      if (completed !== jobs)
        throw new Error(`${what}: ${completed} jobs completed first time, expected ${jobs}`);
    }
    return {
      label,
      system: c.system,
      processes: c.processes,
      seconds: (end - start) / 1000,
      workerCpuMsPerJob: workerCpuMs / jobs,
      serverCpuMsPerJob: serverCpuMs === null ? null : serverCpuMs / jobs,
    };
  } finally {
    workers?.kill();
    await pool.end();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const jobs = positiveInt('jobs', args.jobs);
  const concurrency = positiveInt('concurrency', args.concurrency);
  const processes = positiveInt('processes', args.processes);
  const counts = processes === 1 ? [1] : [1, processes];
  const cases: Case[] = [];
  for (const p of counts) {
    cases.push({ system: 'ours', processes: p, cap: null });
    cases.push({ system: 'ours', processes: p, cap: null, unbatched: true });
    cases.push({ system: 'graphile', processes: p });
    cases.push({ system: 'pgboss', processes: p });
  }
  for (const p of counts) cases.push({ system: 'ours', processes: p, cap: 10 });

  console.log(
    `dispatch: ${jobs} no-op jobs per run, ${concurrency} concurrent job loops per process, ` +
      `processes ${counts.join(' and ')}; fresh database per run; ${loadLine()}`,
  );
  const outcomes: Outcome[] = [];
  for (const c of cases) {
    const outcome = await runCase(c, jobs, concurrency);
    outcomes.push(outcome);
    console.log(
      `  ${outcome.label.padEnd(27)} ${String(c.processes).padStart(2)} proc  ` +
        `${outcome.seconds.toFixed(2).padStart(6)} s  ${(jobs / outcome.seconds).toFixed(0).padStart(6)} jobs/s  (checked)`,
    );
  }

  const rate = (o: Outcome | undefined) => (o ? jobs / o.seconds : Number.NaN);
  const find = (system: System, p: number) => outcomes.find((o) => o.system === system && o.processes === p);
  const rows = outcomes.map((o) => {
    const ours = o.system === 'ours';
    const ratio = (other: System) => (ours ? (rate(o) / rate(find(other, o.processes))).toFixed(2) : '');
    return [
      o.label,
      String(o.processes),
      String(jobs),
      o.seconds.toFixed(2),
      rate(o).toFixed(0),
      ratio('graphile'),
      ratio('pgboss'),
      o.workerCpuMsPerJob.toFixed(2),
      o.serverCpuMsPerJob === null ? 'n/a' : o.serverCpuMsPerJob.toFixed(2),
    ];
  });
  const header = ['system', 'processes', 'jobs', 'seconds', 'jobs/s', 'ours/graphile', 'ours/pg-boss'];
  console.log();
  console.log(formatTable([...header, 'worker CPU ms/job', 'pg CPU ms/job'], rows));
  console.log(`
Notes:
- ours: a claim, then a commit of the result (the run done + a response row, one transaction) per job, through
  the worker's QueueClient: the loops of a process that claim, or commit, while the last claim (or
  commit) is in flight share the next statement (claim_next_prompts, commit_prompt_run_results).
  "unbatched" sends a statement per claim and per commit (claimNextPrompt, commitResult) instead. "uncapped" sets ai_sources.max_concurrency = NULL for ${BENCH_SOURCE}, so claimers never queue on the
  ai_sources row; "max_concurrency 10" is the default config, where claims take turns on that row (and with
  ${processes} processes, ${processes * concurrency} loops share 10 lease slots).
- graphile-worker: run() with concurrency ${concurrency} per process, otherwise defaults (no local queue, no
  batched completion); per-job info logging off; jobs added in one addJobs() call while the runners listen.
- pg-boss: work() with localConcurrency ${concurrency}, batchSize 1, burstWhenReadyExceeds 1 (fetch again at once
  while jobs keep coming; its default 2 s polling interval allows at most 0.5 jobs/s per loop), otherwise defaults.
- CPU ms/job: CPU time of the worker processes, and of the Postgres sessions serving them (read from /proc,
  so only when the server is local; WAL writer and other background processes not included), per job. This
  machine has ${availableParallelism()} cores shared by Postgres and the workers, so CPU per job bounds throughput.
- Each run checks its outcome: every job handled once and recorded done (ours: runs done with one attempt
  and exactly one response each).
- Target: ours >= graphile-worker's default throughput (ours/graphile >= 1).
- At the end: ${loadLine()} (anything else running on the machine skews these figures).

Reproduce: ${reproduceCommand(import.meta.url, { jobs, concurrency, processes })}`);
}

if (args.worker) {
  const system = args.worker;
  if (system !== 'ours' && system !== 'graphile' && system !== 'pgboss')
    throw new Error(`unknown --worker ${system}`);
  await workerMain(system);
} else {
  try {
    await main();
  } finally {
    await dropAllBenchDatabases();
  }
}
