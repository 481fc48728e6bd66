// The soak (issue 16): no-op jobs claimed and committed through the worker's own client (QueueClient) for
// `--minutes` without pause, on a queue a feeder keeps at about `--queue` eligible runs. Every
// `--sample-seconds` it records the jobs done and the state of prompt_runs and run_attempts (sizes of the
// heap and of each index, live and dead tuples, vacuums); at the end it prints the curve per minute and
// checks that throughput held and that the sizes stayed bounded.
//
//   node_modules/.bin/node bench/soak.ts [--minutes 15] [--queue 200000] [--sample-seconds 10]
//                                        [--processes 2] [--concurrency 4] [--max-concurrency N]
//                                        [--history 0] [--no-vacuum]
//
// --history N puts N done runs, each with its attempt, in the tables first: a queue that has run for a while,
// whose kept history is what autovacuum's default scale factors measure dead tuples against.
//
// On a server whose autovacuum is off (this repository's CI cluster: conf.d/90-ci.conf), nothing would ever
// vacuum the queue, and no table setting can turn the daemon back on. The soak then stands in for it: once
// per autovacuum_naptime it vacuums each of the two tables that autovacuum would vacuum by that table's own
// settings (thresholds, scale factors, cost delay and limit: its storage parameters, else the server's), and
// says so. --no-vacuum leaves that out, to see the queue with nobody vacuuming it.
//
// The parent process creates the database, fills the queue, feeds it and samples; the job loops run in
// `--processes` children (this same script with --worker), as in bench/dispatch.ts. Exit code 1 when a
// check fails.
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { QueueClient } from '../src/queue/index.ts';
import { BenchChildren } from './children.ts';
import {
  BENCH_SOURCE,
  backendCpuMs,
  benchPool,
  cpuSpentMs,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  NOOP_RESULT,
  positiveArg,
  reproduceCommand,
  sleep,
  useSingleSource,
  warmPool,
} from './lib.ts';

/** The tables whose sizes must stay bounded: every job updates a run twice and writes an attempt. */
const TABLES = ['prompt_runs', 'run_attempts'] as const;
/** The parent's sessions (fill, feeder, samples). */
const MONITOR_APP = 'avt-soak-monitor';
const FEED_INTERVAL_MS = 100;
/** Throughput in the last minute must be at least this share of the first minute's. */
const MIN_THROUGHPUT_RATIO = 0.8;
/**
 * Over the second half of the run a relation may grow with the rows it holds, and by this factor more. A
 * kept-up relation reaches its steady size within a few vacuums (its live rows, plus the room one or two
 * naptimes of jobs leave dead: what the index of the few running runs holds is nearly all such room) and then
 * grows only with its rows; one that nobody cleans grows with every job, by half again or more from the
 * half-way point to the end.
 */
const MAX_SIZE_GROWTH = 1.25;
/**
 * Relations smaller than this at the end are not judged: the index of the few running runs (and that of the
 * dead ones) is a handful of pages of churn, whose bytes per row mean nothing.
 */
const MIN_JUDGED_BYTES = 4 * 1024 * 1024;
/**
 * Dead tuples must be gone within autovacuum_naptime plus this long (the vacuum's own run time): autovacuum
 * visits a database once per naptime, so that is as fast as a table can be cleaned.
 */
const VACUUM_ALLOWANCE_S = 30;

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    minutes: { type: 'string', default: '15' },
    queue: { type: 'string', default: '200000' },
    'sample-seconds': { type: 'string', default: '10' },
    processes: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    'max-concurrency': { type: 'string' },
    history: { type: 'string', default: '0' },
    vacuum: { type: 'boolean', default: true },
    // worker mode (the parent passes these to its children)
    worker: { type: 'boolean', default: false },
    url: { type: 'string' },
    index: { type: 'string', default: '0' },
  },
});

type ToChild = { type: 'go' } | { type: 'count' } | { type: 'stop' };
type FromChild =
  | { type: 'ready' }
  | { type: 'count'; done: number; empty: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------------------------------------------------
// Worker mode: `concurrency` job loops on one QueueClient, as the worker's slots use it.

async function workerMain(): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  const fail = (error: unknown) => {
    send({ type: 'error', message: (error as Error).stack ?? String(error) });
    process.exit(1);
  };
  const url = args.url;
  if (!url) throw new Error('--url is required in worker mode');
  const concurrency = positiveArg('concurrency', args.concurrency);
  const index = Number(args.index);
  const pool = benchPool(url, concurrency, `avt-soak-worker-${index}`);
  await warmPool(pool, concurrency);
  const queue = new QueueClient(pool, {
    workerId: index + 1,
    aiSource: BENCH_SOURCE,
    workerTag: `soak-${process.pid}`,
  });
  let done = 0;
  // Claims that found nothing: the feeder fell behind, or (with --max-concurrency) every lease slot was taken.
  let empty = 0;
  let stopping = false;
  const loop = async () => {
    // As the worker's slots do: the next claim goes out while the last result commits.
    let committing: Promise<unknown> = Promise.resolve();
    while (!stopping) {
      const run = await queue.claim();
      await committing;
      if (run) {
        committing = queue.commit(run, NOOP_RESULT).then(() => {
          done++;
        });
      } else {
        empty++;
        await sleep(2);
      }
    }
    await committing;
  };
  let loops: Promise<void> = Promise.resolve();
  process.on('message', (message: ToChild) => {
    if (message.type === 'go') {
      loops = Promise.all(Array.from({ length: concurrency }, loop)).then(() => {});
      loops.catch(fail);
    } else if (message.type === 'count') send({ type: 'count', done, empty });
    else if (message.type === 'stop') {
      stopping = true;
      loops
        .then(() => pool.end())
        .then(() => {
          send({ type: 'stopped' });
          process.disconnect();
        }, fail);
    }
  });
  send({ type: 'ready' });
}

// ---------------------------------------------------------------------------------------------------------
// Parent mode.

class Workers extends BenchChildren<FromChild> {
  private counting: Promise<{ done: number; empty: number }> | null = null;

  constructor(url: string, processes: number, concurrency: number) {
    super(import.meta.url, processes, (index) => [
      ...['--worker', '--url', url, '--concurrency', String(concurrency), '--index', String(index)],
    ]);
  }

  /** Jobs committed and claims that found nothing, over all processes so far. Callers at once share one count. */
  count(): Promise<{ done: number; empty: number }> {
    this.counting ??= this.countNow().finally(() => {
      this.counting = null;
    });
    return this.counting;
  }

  private async countNow(): Promise<{ done: number; empty: number }> {
    this.check();
    const replies = await Promise.all(this.children.map((c) => this.ask(c, { type: 'count' }, 'count')));
    let done = 0;
    let empty = 0;
    for (const reply of replies) {
      done += reply.done;
      empty += reply.empty;
    }
    return { done, empty };
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => this.ask(child, { type: 'stop' }, 'stopped')));
  }
}

interface TableState {
  liveTuples: number;
  deadTuples: number;
  /** Tuples updated or deleted so far: each leaves a dead tuple behind. */
  deadMade: number;
  updates: number;
  hotUpdates: number;
  autovacuums: number;
  /** VACUUMs by hand: the soak's stand-in for autovacuum. */
  vacuums: number;
  /** The last vacuum's end (autovacuum's or the stand-in's), HH:MI:SS. */
  lastVacuum: string | null;
  heapBytes: number;
  indexBytes: number;
  totalBytes: number;
}

interface IndexState {
  table: string;
  name: string;
  bytes: number;
  /** The rows it holds: those matching its predicate for a partial index, else the table's live tuples. */
  rows: number;
}

interface Sample {
  seconds: number;
  done: number;
  empty: number;
  /** Runs eligible to claim (queued, due). */
  queued: number;
  /** CPU time of the Postgres sessions serving the job loops, so far (null when the server is not local). */
  serverCpuMs: number | null;
  /** Buffers one read-only pass of the claim's index scan touched (the dead entries it walks past). */
  claimBuffers: number;
  tables: Record<string, TableState>;
  indexes: IndexState[];
}

async function readTables(pool: pg.Pool): Promise<Record<string, TableState>> {
  const { rows } = await pool.query(
    `SELECT relname, n_live_tup, n_dead_tup, n_tup_upd + n_tup_del AS dead_made, n_tup_upd, n_tup_hot_upd,
            autovacuum_count, vacuum_count,
            to_char(greatest(last_autovacuum, last_vacuum), 'HH24:MI:SS') AS last_vacuum,
            pg_relation_size(relid) AS heap, pg_indexes_size(relid) AS indexes,
            pg_total_relation_size(relid) AS total
     FROM pg_stat_user_tables WHERE relname = ANY ($1)`,
    [TABLES],
  );
  const tables: Record<string, TableState> = {};
  for (const row of rows) {
    tables[row.relname] = {
      liveTuples: Number(row.n_live_tup),
      deadTuples: Number(row.n_dead_tup),
      deadMade: Number(row.dead_made),
      updates: Number(row.n_tup_upd),
      hotUpdates: Number(row.n_tup_hot_upd),
      autovacuums: Number(row.autovacuum_count),
      vacuums: Number(row.vacuum_count),
      lastVacuum: row.last_vacuum,
      heapBytes: Number(row.heap),
      indexBytes: Number(row.indexes),
      totalBytes: Number(row.total),
    };
  }
  return tables;
}

async function readIndexes(pool: pg.Pool, tables: Record<string, TableState>): Promise<IndexState[]> {
  const { rows } = await pool.query(
    `SELECT c.relname AS table, i.relname AS name, pg_relation_size(i.oid) AS bytes,
            pg_get_expr(x.indpred, x.indrelid) AS predicate
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
     WHERE c.relname = ANY ($1) ORDER BY c.relname, i.relname`,
    [TABLES],
  );
  const indexes: IndexState[] = [];
  for (const row of rows) {
    let count = tables[row.table]?.liveTuples ?? 0;
    if (row.predicate) {
      // The predicate comes from the catalog of this benchmark's own database.
      const counted = await pool.query(`SELECT count(*)::int AS n FROM ${row.table} WHERE ${row.predicate}`);
      count = counted.rows[0].n;
    }
    indexes.push({ table: row.table, name: row.name, bytes: Number(row.bytes), rows: count });
  }
  return indexes;
}

/** Buffers touched by the claim's ordered index scan (read-only: no rows are locked). */
async function claimScanBuffers(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
     SELECT id FROM prompt_runs
     WHERE ai_source = $1 AND status = 'queued' AND run_after <= now()
     ORDER BY priority DESC, run_after, id LIMIT 8`,
    [BENCH_SOURCE],
  );
  const plan = rows[0]['QUERY PLAN'][0].Plan;
  return Number(plan['Shared Hit Blocks']) + Number(plan['Shared Read Blocks']);
}

async function eligibleRuns(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM prompt_runs WHERE ai_source = $1 AND status = 'queued' AND run_after <= now()`,
    [BENCH_SOURCE],
  );
  return rows[0].n;
}

/** What autovacuum goes by for one table: its storage parameters, else the server's settings. */
interface VacuumRule {
  threshold: number;
  scaleFactor: number;
  insertThreshold: number;
  insertScaleFactor: number;
  costDelayMs: number;
  costLimit: number;
}

/**
 * The tables autovacuum would vacuum now (dead tuples, or tuples inserted since the last vacuum, above the
 * table's threshold + scale factor × reltuples), each with the cost delay and limit it would use.
 */
async function tablesDueForVacuum(pool: pg.Pool): Promise<{ table: string; rule: VacuumRule }[]> {
  const { rows } = await pool.query(
    `SELECT s.relname, s.n_dead_tup, s.n_ins_since_vacuum, greatest(c.reltuples, 0) AS reltuples,
            coalesce(c.reloptions, '{}') AS reloptions,
            current_setting('autovacuum_vacuum_threshold') AS threshold,
            current_setting('autovacuum_vacuum_scale_factor') AS scale_factor,
            current_setting('autovacuum_vacuum_insert_threshold') AS insert_threshold,
            current_setting('autovacuum_vacuum_insert_scale_factor') AS insert_scale_factor,
            extract(epoch FROM current_setting('autovacuum_vacuum_cost_delay')::interval) * 1000 AS cost_delay,
            current_setting('autovacuum_vacuum_cost_limit') AS cost_limit,
            current_setting('vacuum_cost_limit') AS vacuum_cost_limit,
            extract(epoch FROM current_setting('vacuum_cost_delay')::interval) * 1000 AS vacuum_cost_delay
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY ($1)`,
    [TABLES],
  );
  const due: { table: string; rule: VacuumRule }[] = [];
  for (const row of rows) {
    const options = new Map<string, string>(
      (row.reloptions as string[]).map((o) => o.split('=', 2) as [string, string]),
    );
    const setting = (name: string, server: string) => Number(options.get(name) ?? server);
    // -1: autovacuum's own setting defers to the one of VACUUM.
    const costLimit = setting('autovacuum_vacuum_cost_limit', row.cost_limit);
    const costDelayMs = setting('autovacuum_vacuum_cost_delay', row.cost_delay);
    const rule: VacuumRule = {
      threshold: setting('autovacuum_vacuum_threshold', row.threshold),
      scaleFactor: setting('autovacuum_vacuum_scale_factor', row.scale_factor),
      insertThreshold: setting('autovacuum_vacuum_insert_threshold', row.insert_threshold),
      insertScaleFactor: setting('autovacuum_vacuum_insert_scale_factor', row.insert_scale_factor),
      costDelayMs: costDelayMs >= 0 ? costDelayMs : Number(row.vacuum_cost_delay),
      costLimit: costLimit > 0 ? costLimit : Number(row.vacuum_cost_limit),
    };
    const reltuples = Number(row.reltuples);
    const deadDue = Number(row.n_dead_tup) > rule.threshold + rule.scaleFactor * reltuples;
    const insertsDue =
      rule.insertThreshold >= 0 &&
      Number(row.n_ins_since_vacuum) > rule.insertThreshold + rule.insertScaleFactor * reltuples;
    if (deadDue || insertsDue) due.push({ table: row.relname, rule });
  }
  return due;
}

/** Autovacuum's part, played once per naptime until `running()` is false (the server's own daemon is off). */
async function standInForAutovacuum(
  pool: pg.Pool,
  naptimeSeconds: number,
  running: () => boolean,
): Promise<void> {
  const client = await pool.connect();
  try {
    for (;;) {
      for (let waited = 0; waited < naptimeSeconds * 10 && running(); waited++) await sleep(100);
      if (!running()) return;
      for (const { table, rule } of await tablesDueForVacuum(pool)) {
        await client.query(`SET vacuum_cost_delay = ${rule.costDelayMs}`);
        await client.query(`SET vacuum_cost_limit = ${rule.costLimit}`);
        const began = performance.now();
        await client.query(`VACUUM ${table}`);
        console.log(
          `  stand-in for autovacuum: VACUUM ${table} took ${((performance.now() - began) / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    client.release();
  }
}

/** `count` done runs, each with its closed attempt, as a queue that has worked for a while keeps them. */
async function addHistory(pool: pg.Pool, count: number): Promise<void> {
  // Inactive prompts fan out into no runs; their one done run each is inserted directly.
  await pool.query(
    `INSERT INTO prompts (text, active) SELECT 'soak history ' || i, false FROM generate_series(1, $1) AS i`,
    [count],
  );
  await pool.query(
    `INSERT INTO prompt_runs (prompt_id, ai_source, round, sample, status, attempts, started_at, finished_at)
     SELECT id, $1, 1, 1, 'done', 1, now(), now() FROM prompts WHERE NOT active`,
    [BENCH_SOURCE],
  );
  await pool.query(
    `INSERT INTO run_attempts (run_id, attempt, worker, lease_token, started_at, finished_at, outcome)
     SELECT id, 1, 'soak-history', gen_random_uuid(), now(), now(), 'done' FROM prompt_runs`,
  );
}

/** Adds `count` prompts with one plain INSERT; the fan-out trigger makes one queued run each. */
async function enqueue(pool: pg.Pool, from: number, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO prompts (text) SELECT 'soak prompt ' || i FROM generate_series($1::int, $2::int) AS i`,
    [from, from + count - 1],
  );
}

/** Vacuums since the soak began: autovacuum's, or the stand-in's (marked 'm', for manual). */
function vacuums(t: TableState, base: TableState): string {
  const manual = t.vacuums - base.vacuums;
  const auto = t.autovacuums - base.autovacuums;
  return manual > 0 ? `${auto}+${manual}m` : String(auto);
}
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const perRow = (bytes: number, rows: number) => (rows > 0 ? (bytes / rows).toFixed(0) : '-');

function table(sample: Sample, name: string): TableState {
  const state = sample.tables[name];
  if (!state) throw new Error(`no statistics for ${name}`);
  return state;
}

/** The last sample taken at or before `seconds` (the first sample is taken at 0 s). */
function sampleAt(samples: Sample[], seconds: number): Sample {
  let found = samples[0] as Sample;
  for (const sample of samples) if (sample.seconds <= seconds + 0.5) found = sample;
  return found;
}

function rate(from: Sample, to: Sample): number {
  return (to.done - from.done) / Math.max(to.seconds - from.seconds, 1e-9);
}

/** Postgres CPU per job between two samples. */
function cpuPerJob(from: Sample, to: Sample): string {
  if (from.serverCpuMs === null || to.serverCpuMs === null || to.done <= from.done) return '-';
  return ((to.serverCpuMs - from.serverCpuMs) / (to.done - from.done)).toFixed(2);
}

function sampleRow(sample: Sample, previous: Sample, base: Sample): string[] {
  const runs = table(sample, 'prompt_runs');
  const attempts = table(sample, 'run_attempts');
  return [
    sample.seconds.toFixed(0),
    rate(previous, sample).toFixed(0),
    cpuPerJob(previous, sample),
    int(sample.queued),
    String(sample.claimBuffers),
    int(runs.deadTuples),
    mb(runs.totalBytes),
    vacuums(runs, table(base, 'prompt_runs')),
    int(attempts.deadTuples),
    mb(attempts.totalBytes),
    vacuums(attempts, table(base, 'run_attempts')),
  ];
}

const SAMPLE_HEADER = [
  's',
  'jobs/s',
  'pg ms/job',
  'queued',
  'claim bufs',
  'runs dead',
  'runs MB',
  'runs vac',
  'attempts dead',
  'attempts MB',
  'attempts vac',
];

/** One line of the running log, in fixed columns (rows come one at a time, so formatTable cannot size them). */
function sampleLine(cells: string[]): string {
  return cells.map((cell, i) => cell.padStart(Math.max(SAMPLE_HEADER[i]?.length ?? 0, 8))).join('  ');
}

function minuteTable(samples: Sample[], minutes: number): string {
  const base = samples[0] as Sample;
  const hot = (t: TableState, f: TableState) =>
    t.updates > f.updates
      ? `${((100 * (t.hotUpdates - f.hotUpdates)) / (t.updates - f.updates)).toFixed(0)}%`
      : '-';
  const rows: string[][] = [];
  for (let m = 1; m <= minutes; m++) {
    const from = sampleAt(samples, (m - 1) * 60);
    const to = sampleAt(samples, m * 60);
    const row = [
      String(m),
      rate(from, to).toFixed(0),
      cpuPerJob(from, to),
      int(to.queued),
      String(to.claimBuffers),
    ];
    for (const name of TABLES) {
      const t = table(to, name);
      row.push(
        int(t.liveTuples),
        int(t.deadTuples),
        mb(t.heapBytes),
        mb(t.indexBytes),
        perRow(t.totalBytes, t.liveTuples),
        hot(t, table(from, name)),
        vacuums(t, table(base, name)),
      );
    }
    rows.push(row);
  }
  const header = ['min', 'jobs/s', 'pg ms/job', 'queued', 'claim bufs'];
  for (const t of ['runs', 'attempts'])
    header.push(`${t} live`, 'dead', 'heap MB', 'idx MB', 'B/row', 'HOT', 'vacuums');
  return formatTable(header, rows);
}

interface SizeCheck {
  relation: string;
  /** Half-way and at the end. */
  rows: [number, number];
  /** After minute 1, half-way and at the end. */
  bytes: [number, number, number];
  limit: number;
  /** null: too small to judge. */
  ok: boolean | null;
}

/** Each heap and index: its size at the end against its size half-way, grown with the rows it holds. */
function sizeChecks(first: Sample, middle: Sample, last: Sample): SizeCheck[] {
  const relations: { relation: string; at: (s: Sample) => { bytes: number; rows: number } }[] = [];
  for (const name of TABLES) {
    relations.push({
      relation: `${name} (heap)`,
      at: (s) => ({ bytes: table(s, name).heapBytes, rows: table(s, name).liveTuples }),
    });
  }
  for (const index of last.indexes) {
    const find = (s: Sample) => s.indexes.find((i) => i.name === index.name) ?? { bytes: 0, rows: 0 };
    relations.push({ relation: index.name, at: (s) => find(s) });
  }
  return relations.map(({ relation, at }) => {
    const [start, half, end] = [at(first), at(middle), at(last)];
    // Rows it holds may grow (done runs and their attempts are kept); a shrinking or empty set allows no growth.
    const growth = half.rows > 0 ? Math.max(1, end.rows / half.rows) : 1;
    const limit = half.bytes * growth * MAX_SIZE_GROWTH;
    return {
      relation,
      rows: [half.rows, end.rows],
      bytes: [start.bytes, half.bytes, end.bytes],
      limit,
      ok: end.bytes < MIN_JUDGED_BYTES ? null : end.bytes <= limit,
    };
  });
}

interface DeadCheck {
  table: string;
  worst: { seconds: number; dead: number; made: number } | null;
  ok: boolean;
}

/** After minute 1, no sample may show more dead tuples than the table made in the last naptime + allowance. */
function deadChecks(samples: Sample[], windowSeconds: number): DeadCheck[] {
  return TABLES.map((name) => {
    let worst: DeadCheck['worst'] = null;
    let ok = true;
    for (const sample of samples) {
      if (sample.seconds < 60) continue;
      const back = sampleAt(samples, sample.seconds - windowSeconds);
      const made = table(sample, name).deadMade - table(back, name).deadMade;
      const dead = table(sample, name).deadTuples;
      if (!worst || dead / Math.max(made, 1) > worst.dead / Math.max(worst.made, 1))
        worst = { seconds: sample.seconds, dead, made };
      if (dead > made) ok = false;
    }
    return { table: name, worst, ok };
  });
}

async function main(): Promise<void> {
  const minutes = positiveArg('minutes', args.minutes);
  const queueDepth = positiveArg('queue', args.queue);
  const sampleSeconds = positiveArg('sample-seconds', args['sample-seconds']);
  const processes = positiveArg('processes', args.processes);
  const concurrency = positiveArg('concurrency', args.concurrency);
  const cap = args['max-concurrency'] ? positiveArg('max-concurrency', args['max-concurrency']) : null;

  const database = await createBenchDatabase('soak', { migrated: true });
  // Fill and feeder, samples, and the stand-in for autovacuum.
  const pool = benchPool(database.url, 4, MONITOR_APP);
  let workers: Workers | null = null;
  try {
    await useSingleSource(pool, cap);
    const server = (
      await pool.query(
        `SELECT current_setting('autovacuum')::boolean AS autovacuum,
                extract(epoch FROM current_setting('autovacuum_naptime')::interval) AS naptime`,
      )
    ).rows[0];
    const naptime = Number(server.naptime);
    const deadWindow = naptime + VACUUM_ALLOWANCE_S;
    const standIn = !server.autovacuum && args.vacuum === true;
    const vacuuming = server.autovacuum
      ? 'autovacuum on'
      : standIn
        ? `autovacuum is OFF on this server: the soak stands in for it, every ${naptime} s, by each table's settings`
        : 'autovacuum is OFF on this server and --no-vacuum: nothing vacuums the queue';
    console.log(
      `soak: ${minutes} min of no-op jobs, ${processes} processes × ${concurrency} job loops (QueueClient), ` +
        `source ${BENCH_SOURCE} ${cap === null ? 'uncapped' : `capped at ${cap}`}, queue kept at ${int(queueDepth)} runs, ${int(Number(args.history))} done runs kept; ` +
        `database ${database.name}; ${loadLine()}`,
    );
    console.log(vacuuming);
    const filling = performance.now();
    const history = Number(args.history);
    if (!Number.isInteger(history) || history < 0)
      throw new Error(`--history must be 0 or more, got ${history}`);
    if (history > 0) await addHistory(pool, history);
    for (let from = 1; from <= queueDepth; from += 50_000) {
      await enqueue(pool, from, Math.min(50_000, queueDepth - from + 1));
    }
    // Start from a settled queue, as one that has waited for its workers: visibility map set, statistics fresh.
    await pool.query('VACUUM ANALYZE prompts, prompt_runs, run_attempts');
    console.log(
      `filled ${int(queueDepth)} queued runs (and ${int(history)} done) in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
    );

    workers = new Workers(database.url, processes, concurrency);
    await workers.ready();
    const active = workers;
    let enqueued = queueDepth;
    let running = true;
    // The feeder and the stand-in run beside the samples: a failure of theirs ends the run at the next sample.
    let failure: unknown = null;
    const beside = (task: Promise<void>) =>
      task.catch((error: unknown) => {
        failure ??= error;
        running = false;
      });
    // The feeder tops the queue up to its depth as jobs complete (runs claimed but not committed count as queued).
    const feeder = beside(
      (async () => {
        while (running) {
          const { done } = await active.count();
          const deficit = queueDepth - (enqueued - done);
          if (deficit > 0) {
            await enqueue(pool, enqueued + 1, deficit);
            enqueued += deficit;
          }
          await sleep(FEED_INTERVAL_MS);
        }
      })(),
    );
    const vacuumer = beside(standIn ? standInForAutovacuum(pool, naptime, () => running) : Promise.resolve());

    const samples: Sample[] = [];
    const cpuAtStart = await backendCpuMs(pool, database.name, MONITOR_APP);
    const takeSample = async (seconds: number): Promise<Sample> => {
      const { done, empty } = await active.count();
      const cpu = cpuSpentMs(cpuAtStart, await backendCpuMs(pool, database.name, MONITOR_APP));
      const tables = await readTables(pool);
      const sample: Sample = {
        seconds,
        done,
        empty,
        serverCpuMs: cpu,
        queued: await eligibleRuns(pool),
        claimBuffers: await claimScanBuffers(pool),
        tables,
        indexes: await readIndexes(pool, tables),
      };
      samples.push(sample);
      return sample;
    };

    const start = performance.now();
    active.go();
    console.log(sampleLine(SAMPLE_HEADER));
    const base = await takeSample(0);
    console.log(sampleLine(sampleRow(base, base, base)));
    const totalSeconds = minutes * 60;
    for (let k = 1; k * sampleSeconds <= totalSeconds; k++) {
      await sleep(start + k * sampleSeconds * 1000 - performance.now());
      if (failure) throw failure;
      const previous = samples[samples.length - 1] as Sample;
      const sample = await takeSample(k * sampleSeconds);
      console.log(sampleLine(sampleRow(sample, previous, base)));
    }
    running = false;
    await feeder;
    await vacuumer;
    if (failure) throw failure;
    await active.stop();
    workers = null;

    const last = samples[samples.length - 1] as Sample;
    const firstMinute = sampleAt(samples, 60);
    console.log(`\nThe curve, per minute (values at the minute's end; jobs/s over the minute):\n`);
    console.log(minuteTable(samples, minutes));

    const halfWay = sampleAt(samples, totalSeconds / 2);
    const sizes = sizeChecks(firstMinute, halfWay, last);
    console.log(
      `\nSizes after minute 1, half-way and at the end (limit: ${MAX_SIZE_GROWTH} × the half-way size, grown ` +
        `with its rows; under ${mb(MIN_JUDGED_BYTES)} MB not judged):\n`,
    );
    console.log(
      formatTable(
        [
          'relation',
          'rows half',
          'rows end',
          'MB min 1',
          'MB half',
          'MB end',
          'B/row half',
          'B/row end',
          'limit MB',
          'ok',
        ],
        sizes.map((s) => [
          s.relation,
          int(s.rows[0]),
          int(s.rows[1]),
          mb(s.bytes[0]),
          mb(s.bytes[1]),
          mb(s.bytes[2]),
          perRow(s.bytes[1], s.rows[0]),
          perRow(s.bytes[2], s.rows[1]),
          mb(s.limit),
          s.ok === null ? 'small' : s.ok ? 'yes' : 'NO',
        ]),
      ),
    );
    const dead = deadChecks(samples, deadWindow);
    console.log(
      `\nDead tuples: after minute 1, at most what the last ${deadWindow} s made (autovacuum_naptime ${naptime} s + ${VACUUM_ALLOWANCE_S} s):\n`,
    );
    console.log(
      formatTable(
        ['table', 'worst at s', 'dead then', `made in ${deadWindow} s`, 'ok'],
        dead.map((d) => [
          d.table,
          d.worst ? d.worst.seconds.toFixed(0) : '-',
          d.worst ? int(d.worst.dead) : '-',
          d.worst ? int(d.worst.made) : '-',
          d.ok ? 'yes' : 'NO',
        ]),
      ),
    );

    const lastVacuums = TABLES.map((name) => `${name} ${table(last, name).lastVacuum ?? 'never'}`);
    console.log(`\nLast vacuum (autovacuum's or by hand): ${lastVacuums.join(', ')}`);

    const firstRate = rate(samples[0] as Sample, firstMinute);
    const lastRate = rate(sampleAt(samples, totalSeconds - 60), last);
    const ratio = lastRate / firstRate;
    const throughputOk = ratio >= MIN_THROUGHPUT_RATIO;
    const sizesOk = sizes.every((s) => s.ok !== false) && dead.every((d) => d.ok);
    console.log(
      `\n${int(last.done)} jobs in ${minutes} min, ${int(last.empty)} empty claims; ` +
        `${int(enqueued - queueDepth)} runs fed; ${loadLine()}`,
    );
    console.log(
      `verdict: last minute ${lastRate.toFixed(0)} jobs/s ÷ first minute ${firstRate.toFixed(0)} jobs/s = ` +
        `${ratio.toFixed(2)} (${throughputOk ? 'ok' : 'FAIL'}, ≥ ${MIN_THROUGHPUT_RATIO}); sizes ` +
        `${sizesOk ? 'bounded (ok)' : 'NOT bounded (FAIL)'}; ${vacuuming}`,
    );
    const reproduce: Record<string, string | number> = { minutes, queue: queueDepth, history };
    Object.assign(reproduce, { 'sample-seconds': sampleSeconds, processes, concurrency });
    if (cap !== null) reproduce['max-concurrency'] = cap;
    const flags = args.vacuum ? '' : ' --no-vacuum';
    console.log(`Reproduce: ${reproduceCommand(import.meta.url, reproduce)}${flags}`);
    if (!throughputOk || !sizesOk) process.exitCode = 1;
  } finally {
    workers?.kill();
    await pool.end();
    await database.drop();
  }
}

if (args.worker) {
  await workerMain();
} else {
  try {
    await main();
  } finally {
    await dropAllBenchDatabases();
  }
}
