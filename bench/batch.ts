// The chaos scenarios' batch run clean, end to end: `--prompts` prompts × 3 sources queued with one INSERT,
// worker processes in shared-browser mode against the bundled mock, drained while nothing goes wrong.
//
//   node_modules/.bin/node bench/batch.ts [--prompts 1000] [--workers-per-source 2] [--concurrency 3] [--latency-ms 500]
//
// Prints wall time, runs (prompt × source answers) per hour, the steady rate's efficiency against
// slots ÷ answer latency (1.0: the workers add nothing to the answer's own time), peak memory (PSS) of the
// workers and of their Chromium processes, and the machine's CPU time per run; then checks the batch as the
// chaos run does (every run done, one response each, no attempt open, no browser left).
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runScenario } from './chaos/runScenario.ts';
import { FULL_PHASES } from './chaos/scenarios.ts';
import { startWorld } from './chaos/world.ts';
import { formatTable, loadLine, positiveArg, reproduceCommand } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    prompts: { type: 'string', default: '1000' },
    sources: { type: 'string', default: 'chatgpt,gemini,perplexity' },
    'workers-per-source': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '500' },
  },
});
const prompts = positiveArg('prompts', args.prompts);
const sources = (args.sources ?? '').split(',').filter(Boolean);
const workersPerSource = positiveArg('workers-per-source', args['workers-per-source']);
const concurrency = positiveArg('concurrency', args.concurrency);
const latencyMs = positiveArg('latency-ms', args['latency-ms']);
const workers = workersPerSource * sources.length;
const slots = workers * concurrency;

const { world, server, close } = await startWorld({ maxConnections: 100, latencyMs });
console.log(`batch: ${loadLine()}`);
const cpuBefore = machineCpuSeconds();
let failed = false;
try {
  const result = await runScenario(server, undefined, FULL_PHASES, {
    ...world,
    prompts,
    sources,
    workersPerSource,
    concurrency,
    leaseSeconds: 60,
    faultEvery: 0,
    faultAt: 0,
    stallS: 300,
    measureMemory: true,
  });
  const cpuPerRun = (machineCpuSeconds() - cpuBefore) / result.verdict.runs;
  const perHour = (result.verdict.runs / result.wallS) * 3600;
  const efficiency = result.steadyRate / (slots / (latencyMs / 1000));
  console.log(
    formatTable(
      [
        'runs',
        'workers × slots',
        'wall',
        'runs/hour (steady)',
        'per worker/hour',
        'efficiency',
        'peak PSS workers / Chromium',
        'CPU per run',
      ],
      [
        [
          String(result.verdict.runs),
          `${workers} × ${concurrency}`,
          `${result.wallS.toFixed(0)} s`,
          `${Math.round(perHour).toLocaleString('en')} (${Math.round(result.steadyRate * 3600).toLocaleString('en')})`,
          Math.round(perHour / workers).toLocaleString('en'),
          efficiency.toFixed(3),
          `${result.fleet.peakMemoryMb.workers.toFixed(0)} / ${result.fleet.peakMemoryMb.browsers.toFixed(0)} MB`,
          `${cpuPerRun.toFixed(2)} s`,
        ],
      ],
    ),
  );
  console.log(
    "the seed's expectations: 1 worker 150 runs/hour; 20 workers with a queue 1,200 runs/hour (real sites' answers)",
  );
  for (const failure of result.failures) console.log(`FAILED: ${failure}`);
  failed = result.failures.length > 0;
  console.log(
    reproduceCommand(import.meta.url, {
      prompts,
      'workers-per-source': workersPerSource,
      concurrency,
      'latency-ms': latencyMs,
    }),
  );
} finally {
  await close();
}
process.exit(failed ? 1 : 0);

/** CPU seconds every core of the machine has spent busy so far. */
function machineCpuSeconds(): number {
  return cpus().reduce(
    (sum, cpu) => sum + (cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq) / 1000,
    0,
  );
}
