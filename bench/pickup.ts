// Pickup latency: how long a prompt waits between its INSERT committing and an idle worker holding its run.
//
//   node_modules/.bin/node bench/pickup.ts [--inserts 300] [--gap-ms 10] [--loops 4] [--poll-ms 1000]
//
// One process runs `loops` claim loops that sleep until a NOTIFY on prompt_runs_queued (listenForQueuedRuns)
// wakes one of them, with a slow poll as the fallback. The same process inserts prompts one at a time,
// `gap-ms` apart, on a connection of its own, so both ends of the measurement read the same clock: from the
// moment the INSERT's commit is acknowledged to this client, to the moment the claim returns the run.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { listenForQueuedRuns, QueueClient, type RunResult } from '../src/queue/index.ts';
import {
  assertAllDone,
  BENCH_SOURCE,
  benchPool,
  createBenchDatabase,
  dropAllBenchDatabases,
  formatTable,
  loadLine,
  quantile,
  reproduceCommand,
  sleep,
  useSingleSource,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    inserts: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '20' },
    'gap-ms': { type: 'string', default: '10' },
    loops: { type: 'string', default: '4' },
    'poll-ms': { type: 'string', default: '1000' },
    'max-concurrency': { type: 'string', default: '10' },
  },
});

function intArg(name: keyof typeof args, min: number): number {
  const value = args[name];
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

/** Why a loop was claiming when it got its run. */
type Trigger = 'notify' | 'poll' | 'chain' | 'drain';

const RESULT: RunResult = {
  response: { answerText: 'ok', model: 'noop', durationMs: 0, captureMode: 'api' },
  mentions: [],
  citations: [],
};

async function main(): Promise<void> {
  const inserts = intArg('inserts', 1);
  const warmup = intArg('warmup', 0);
  const gapMs = intArg('gap-ms', 0);
  const loops = intArg('loops', 1);
  const pollMs = intArg('poll-ms', 1);
  const capArg = args['max-concurrency'];
  const cap = capArg === 'null' ? null : intArg('max-concurrency', 1);
  const total = warmup + inserts;

  const database = await createBenchDatabase('pickup', { migrated: true });
  const monitor = benchPool(database.url, 1, 'avt-bench-monitor');
  await useSingleSource(monitor, cap);

  // The worker side: a pool of one connection per loop, all connected before the first insert.
  const pool = benchPool(database.url, loops, 'avt-bench-pickup-worker');
  await Promise.all(Array.from({ length: loops }, () => pool.connect())).then((clients) => {
    for (const client of clients) client.release();
  });

  const committedAt = new Array<number>(total).fill(Number.NaN);
  const sentAt = new Array<number>(total).fill(Number.NaN);
  const claimedAt = new Array<number>(total).fill(Number.NaN);
  const triggers = new Map<Trigger, number>();
  const triggerOf = new Array<Trigger | undefined>(total);
  let emptyClaims = 0;

  // Idle loops wait here; a notification wakes the longest idle one.
  const idle: ((trigger: Trigger | 'stop') => void)[] = [];
  const wakeOne = (trigger: Trigger) => idle.shift()?.(trigger);
  let stopping = false;
  const wakeups = listenForQueuedRuns({
    connectionString: database.url,
    applicationName: 'avt-bench-pickup-listen',
    onQueued: (source) => {
      if (source === BENCH_SOURCE) wakeOne('notify');
    },
    onReconnected: () => {
      for (let i = idle.length; i > 0; i--) wakeOne('poll');
    },
  });
  await wakeups.ready;

  const waitForWork = () =>
    new Promise<Trigger | 'stop'>((resolve) => {
      const entry = (trigger: Trigger | 'stop') => {
        clearTimeout(timer);
        resolve(trigger);
      };
      const timer = setTimeout(() => {
        idle.splice(idle.indexOf(entry), 1);
        resolve('poll');
      }, pollMs);
      idle.push(entry);
    });

  // Claims and commits as the worker makes them: loops that ask together share a statement.
  const queue = new QueueClient(pool, {
    workerId: 1,
    aiSource: BENCH_SOURCE,
    workerTag: `pickup-${process.pid}`,
  });
  const loop = async () => {
    let trigger: Trigger | 'stop' = 'poll';
    while (!stopping) {
      const run = await queue.claim();
      if (run) {
        const at = performance.now();
        const i = Number(run.promptText.replace('pickup ', ''));
        claimedAt[i] = at;
        triggerOf[i] = trigger as Trigger;
        // More may be waiting (one NOTIFY per statement, however many runs it queued): let another idle
        // loop look too, while this one does the job.
        wakeOne('chain');
        await queue.commit(run, RESULT);
        trigger = 'drain';
        continue;
      }
      emptyClaims++;
      if (stopping) break;
      trigger = await waitForWork();
    }
  };
  const running = Array.from({ length: loops }, () => loop());
  // Let every loop make its first (empty) claim and go idle.
  while (idle.length < loops) await sleep(5);

  const inserter = new pg.Client({ connectionString: database.url, application_name: 'avt-bench-monitor' });
  await inserter.connect();
  try {
    for (let i = 0; i < total; i++) {
      sentAt[i] = performance.now();
      await inserter.query('INSERT INTO prompts (text) VALUES ($1)', [`pickup ${i}`]);
      committedAt[i] = performance.now();
      await sleep(gapMs);
    }
    const deadline = performance.now() + 10_000 + 2 * pollMs;
    while (claimedAt.some(Number.isNaN)) {
      if (performance.now() > deadline) {
        throw new Error(`${claimedAt.filter(Number.isNaN).length} of ${total} prompts were never claimed`);
      }
      await sleep(10);
    }
  } finally {
    stopping = true;
    for (let i = idle.length; i > 0; i--) idle.shift()?.('stop');
    await Promise.all(running);
    await wakeups.close();
    await inserter.end();
    await pool.end();
  }
  await assertAllDone(monitor, total, 'pickup');
  await monitor.end();
  await database.drop();

  // Statistics over the measured inserts (the warm-up ones are left out).
  const measured = Array.from({ length: inserts }, (_, k) => warmup + k);
  for (const i of measured) {
    const trigger = triggerOf[i] as Trigger;
    triggers.set(trigger, (triggers.get(trigger) ?? 0) + 1);
  }
  const fromCommit = measured
    .map((i) => (claimedAt[i] as number) - (committedAt[i] as number))
    .sort((a, b) => a - b);
  const fromSend = measured
    .map((i) => (claimedAt[i] as number) - (sentAt[i] as number))
    .sort((a, b) => a - b);
  const insertRtt = measured
    .map((i) => (committedAt[i] as number) - (sentAt[i] as number))
    .sort((a, b) => a - b);
  const row = (label: string, values: number[]) => [
    label,
    ...[0.5, 0.9, 0.99].map((q) => quantile(values, q).toFixed(2)),
    (values.at(-1) as number).toFixed(2),
    (values[0] as number).toFixed(2),
  ];
  console.log(
    `pickup: ${inserts} single-prompt inserts (+${warmup} warm-up, not counted), ${gapMs} ms apart; ` +
      `${loops} claim loops in 1 process woken by LISTEN/NOTIFY, ${pollMs} ms poll fallback; ` +
      `source ${BENCH_SOURCE} only, max_concurrency ${cap ?? 'NULL'}; ${loadLine()}`,
  );
  console.log();
  console.log(
    formatTable(
      ['latency (ms)', 'p50', 'p90', 'p99', 'max', 'min'],
      [
        row('insert commit acked -> claim returned', fromCommit),
        row('INSERT sent -> claim returned', fromSend),
        row('(INSERT sent -> commit acked)', insertRtt),
      ],
    ),
  );
  const negative = fromCommit.filter((v) => v < 0).length;
  console.log(
    `
Pickups by what set the claiming loop going: ${[...triggers].map(([t, n]) => `${t} ${n}`).join(', ')} ` +
      `(poll = the ${pollMs} ms fallback fired; chain = woken by a loop that had just claimed; drain = re-claiming ` +
      `after a job).
Empty claims (a loop found nothing): ${emptyClaims}.${negative > 0 ? `\nClaims returned before the inserting client had processed its own commit acknowledgement: ${negative} (counted as negative latency).` : ''}
Checked: all ${total} runs done, one response each.
Target: p50 <= 5 ms (insert commit acked -> claim returned).

Reproduce: ${reproduceCommand(import.meta.url, { inserts, warmup, 'gap-ms': gapMs, loops, 'poll-ms': pollMs, 'max-concurrency': cap ?? 'null' })}`,
  );
}

try {
  await main();
} finally {
  await dropAllBenchDatabases();
}
