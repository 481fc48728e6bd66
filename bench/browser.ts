// Browser capture: per-job vs shared browsers, and end-to-end efficiency against the bundled mock.
//
//   overhead per job  = mean(attempt wall time) − answer latency L   (C = 1, so nothing queues)
//   PSS per job       = PSS of the worker's Chromium processes at peak ÷ jobs in flight (C jobs)
//   efficiency        = (completed prompts per second) ÷ (C ÷ L)        (1.0: the browser adds nothing)
//
// Each figure comes from a real `bin/worker` process (claim, browser, adapter, commit) against `avt mock`'s
// flavour for chatgpt; times come from run_attempts, so worker start-up is not counted.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { descendantPids } from '../src/browser/processTree.ts';
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
    'overhead-jobs': { type: 'string', default: '8' },
    'overhead-latency-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '20000' },
    jobs: { type: 'string', default: '30' },
    modes: { type: 'string', default: 'per-job,shared' },
    jitter: { type: 'string', default: '0.5' },
  },
});
const overheadJobs = Number(values['overhead-jobs']);
const overheadLatency = Number(values['overhead-latency-ms']);
const concurrency = Number(values.concurrency);
const latency = Number(values['latency-ms']);
const jobs = Number(values.jobs);
const modes = (values.modes ?? '').split(',') as ('per-job' | 'shared')[];
const jitter = Number(values.jitter);

/** Sum of PSS (kB) over every live descendant of `root`. */
function descendantsPssKb(root: number): number {
  let pss = 0;
  for (const pid of descendantPids(root)) {
    try {
      pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // it exited meanwhile
    }
  }
  return pss;
}

interface Measured {
  seconds: number;
  meanAttemptMs: number;
  peakPssPerJobMb: number;
}

async function measure(
  mode: 'per-job' | 'shared',
  count: number,
  slots: number,
  latencyMs: number,
  latencyJitter = 0,
): Promise<Measured> {
  const mock = await startMockPlatform({ port: 0, latencyMs, latencyJitter, seed: 5 });
  const database = await createBenchDatabase(`browser_${mode.replace('-', '')}`, { migrated: true });
  const pool = benchPool(database.url, 2, 'avt-bench-browser');
  try {
    await useSingleSource(pool, null);
    await insertCrmPrompts(pool, count);
    const worker = runBenchWorker(
      [
        '--browser',
        mode,
        '--concurrency',
        String(slots),
        '--no-maintenance',
        '--base-url',
        `${mock.url}/chatgpt/`,
      ],
      { ...process.env, DATABASE_URL: database.url },
      `worker (${mode})`,
    );
    let peakPerJob = 0;
    const sampler = setInterval(async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM prompt_runs WHERE status = 'running'`,
      );
      const running = rows[0]?.n ?? 0;
      if (running < slots || worker.pid === undefined) return;
      peakPerJob = Math.max(peakPerJob, descendantsPssKb(worker.pid) / 1024 / running);
    }, 5_000); // reading smaps_rollup costs kernel time: sample rarely
    await worker.exited.finally(() => clearInterval(sampler));
    await assertAllDone(pool, count, `browser ${mode}`);
    const { rows } = await pool.query<{ seconds: number; mean_ms: number }>(
      `SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds,
              avg(extract(epoch FROM finished_at - started_at) * 1000)::float8 AS mean_ms
       FROM run_attempts`,
    );
    return {
      seconds: rows[0]?.seconds ?? Number.NaN,
      meanAttemptMs: rows[0]?.mean_ms ?? Number.NaN,
      peakPssPerJobMb: peakPerJob,
    };
  } finally {
    await pool.end();
    await database.drop();
    await mock.close();
  }
}

try {
  const rows: string[][] = [];
  for (const mode of modes) {
    const overhead = await measure(mode, overheadJobs, 1, overheadLatency);
    const load = await measure(mode, jobs, concurrency, latency);
    const throughput = jobs / load.seconds;
    const ideal = concurrency / (latency / 1000);
    // The same with answers spread over L × (1 ± jitter): jobs no longer start in waves of C at once.
    const staggered = jitter > 0 ? await measure(mode, jobs, concurrency, latency, jitter) : null;
    rows.push([
      mode,
      (overhead.meanAttemptMs - overheadLatency).toFixed(0),
      load.peakPssPerJobMb.toFixed(0),
      load.seconds.toFixed(1),
      throughput.toFixed(3),
      ideal.toFixed(3),
      (throughput / ideal).toFixed(2),
      staggered ? (jobs / staggered.seconds / ideal).toFixed(2) : '-',
    ]);
  }
  console.log(
    `browser capture against the mock's chatgpt flavour; overhead: ${overheadJobs} jobs at C = 1, L = ${overheadLatency} ms; ` +
      `efficiency: ${jobs} jobs at C = ${concurrency}, L = ${latency} ms; ${loadLine()}\n`,
  );
  console.log(
    formatTable(
      [
        'mode',
        'overhead ms/job',
        'PSS MB/job',
        'seconds',
        'prompts/s',
        'C÷L',
        'efficiency',
        `efficiency, L ±${jitter * 100}%`,
      ],
      rows,
    ),
  );
  console.log(
    `\nReproduce: ${reproduceCommand(import.meta.url, {
      'overhead-jobs': overheadJobs,
      'overhead-latency-ms': overheadLatency,
      concurrency,
      'latency-ms': latency,
      jobs,
      jitter,
    })}`,
  );
} finally {
  await dropAllBenchDatabases();
}
