// Browser capture: per-job vs shared browsers, and end-to-end efficiency against the bundled mock.
//
//   overhead per job  = mean(attempt wall time) − answer latency L   (C = 1, so nothing queues)
//   PSS per job       = PSS of the worker's Chromium processes at peak ÷ jobs in flight (C jobs)
//   efficiency        = (completed prompts per second) ÷ (C ÷ L)        (1.0: the browser adds nothing)
//
// Prompts per second are those of the steady state, while the queue has work for every slot, counted two
// ways:
//   busy slots:     every slot is always busy then, so prompts/s = C ÷ mean job time, and the efficiency is
//                   Σ (each prompt's answer latency) ÷ Σ (its job's wall time, claim to commit);
//   claims window:  the jobs finished between the first claim and the last one, ÷ that time. It leaves out
//                   the work of the jobs still running at the last claim, so it reads low (by up to C ÷ 2
//                   jobs when latencies vary).
// The drain after the last claim is left out of both: a finite batch's last jobs leave slots idle however
// fast the browser is.
//
// Each figure comes from a real `bin/worker` process (claim, browser, adapter, commit) against `avt mock`'s
// flavour for chatgpt; times come from run_attempts, so worker start-up is not counted.
import { parseArgs } from 'node:util';
import { descendantPids } from '../src/browser/processTree.ts';
import { startMockPlatform } from '../src/mock/index.ts';
import { answerLatency } from '../src/mock/latency.ts';
import {
  assertAllDone,
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  insertCrmPrompts,
  loadLine,
  pssKb,
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
    jobs: { type: 'string', default: '60' },
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
const SEED = 5;

/** Sum of PSS (kB) over every live descendant of `root`. */
function descendantsPssKb(root: number): number {
  let pss = 0;
  for (const pid of descendantPids(root)) {
    pss += pssKb(pid);
  }
  return pss;
}

interface Measured {
  /** First claim to last claim, and the jobs finished in that window. */
  seconds: number;
  completed: number;
  /** Σ answer latency ÷ Σ job wall time. */
  busyEfficiency: number;
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
  const mock = await startMockPlatform({ port: 0, latencyMs, latencyJitter, seed: SEED });
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
    const attempts = await pool.query<{ text: string; ms: number }>(
      `SELECT p.text, extract(epoch FROM a.finished_at - a.started_at)::float8 * 1000 AS ms
       FROM run_attempts a JOIN prompt_runs r ON r.id = a.run_id JOIN prompts p ON p.id = r.prompt_id`,
    );
    const answerMs = attempts.rows.reduce(
      (sum, attempt) => sum + answerLatency({ latencyMs, latencyJitter, seed: SEED }, attempt.text),
      0,
    );
    const jobMs = attempts.rows.reduce((sum, attempt) => sum + attempt.ms, 0);
    const { rows } = await pool.query<{ seconds: number; completed: number }>(
      `WITH w AS (SELECT min(started_at) AS first_claim, max(started_at) AS last_claim FROM run_attempts)
       SELECT extract(epoch FROM w.last_claim - w.first_claim)::float8 AS seconds,
              count(*) FILTER (WHERE a.finished_at <= w.last_claim)::int AS completed
       FROM run_attempts a, w
       GROUP BY w.first_claim, w.last_claim`,
    );
    return {
      seconds: rows[0]?.seconds ?? Number.NaN,
      completed: rows[0]?.completed ?? 0,
      busyEfficiency: answerMs / jobMs,
      meanAttemptMs: jobMs / attempts.rows.length,
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
    const ideal = concurrency / (latency / 1000);
    const throughput = (m: Measured) => m.completed / m.seconds;
    // The same with answers spread over L × (1 ± jitter): jobs no longer start in waves of C at once.
    const staggered = jitter > 0 ? await measure(mode, jobs, concurrency, latency, jitter) : null;
    const windowEfficiency = (m: Measured) => (throughput(m) / ideal).toFixed(2);
    rows.push([
      mode,
      (overhead.meanAttemptMs - overheadLatency).toFixed(0),
      load.peakPssPerJobMb.toFixed(0),
      throughput(load).toFixed(3),
      ideal.toFixed(3),
      `${load.busyEfficiency.toFixed(2)} / ${windowEfficiency(load)}`,
      staggered ? `${staggered.busyEfficiency.toFixed(2)} / ${windowEfficiency(staggered)}` : '-',
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
        'prompts/s (window)',
        'C÷L',
        'efficiency (busy slots / window)',
        `the same, L ±${jitter * 100}%`,
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
