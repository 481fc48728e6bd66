import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { findChromium } from '../../src/browser/findChromium.ts';
import { ManagedBrowser } from '../../src/browser/managedBrowser.ts';
import { descendantPids } from '../../src/browser/processTree.ts';
import { openDisplay } from '../../src/browser/virtualDisplay.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { alive, displaySocket } from '../helpers/processes.ts';
import { type SpawnedWorker, spawnBin } from '../helpers/workerProcess.ts';

// DISPLAY empty: the worker must start its own Xvfb, whatever the machine running the tests has.
const NO_DISPLAY = { DISPLAY: '' };

/** A process's NUL-separated /proc file (cmdline, environ) as a list; empty once it has gone. */
function procList(pid: number, file: 'cmdline' | 'environ'): string[] {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every live process whose environment names this display: the browsers (and their helpers) on it. */
function processesOnDisplay(display: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => alive(pid) && procList(pid, 'environ').includes(`DISPLAY=${display}`));
}

interface SeenBrowser {
  /** The browser's processes seen: Debian's /usr/bin/chromium wrapper script, then Chromium itself. */
  pids: Set<number>;
  args: string[];
  display: string | undefined;
}

/**
 * Watches the worker's process tree for Chromium browsers (the processes Playwright drives, with
 * --remote-debugging-pipe), one per profile directory, and records each one's command line and DISPLAY.
 */
function watchBrowsers(workerPid: number) {
  const seen = new Map<string, SeenBrowser>();
  const timer = setInterval(() => {
    for (const pid of descendantPids(workerPid)) {
      const args = procList(pid, 'cmdline');
      if (!args.includes('--remote-debugging-pipe')) continue;
      const profile = args.find((arg) => arg.startsWith('--user-data-dir=')) as string;
      const display = procList(pid, 'environ').find((entry) => entry.startsWith('DISPLAY='));
      const browser = seen.get(profile) ?? {
        pids: new Set(),
        args,
        display: display?.slice('DISPLAY='.length),
      };
      browser.pids.add(pid);
      seen.set(profile, browser);
    }
  }, 20);
  return { seen, stop: () => clearInterval(timer) };
}

test('a browser launched on a display is headed as pages see it: no HeadlessChrome in its user agent', async () => {
  const { executablePath } = await findChromium();
  const userAgent = async (display?: string) => {
    const browser = await ManagedBrowser.launch(executablePath, undefined, display);
    try {
      const page = await browser.browser.newPage();
      return await page.evaluate(() => navigator.userAgent);
    } finally {
      await browser.close();
    }
  };
  const display = await openDisplay({ env: NO_DISPLAY });
  try {
    assert.doesNotMatch(await userAgent(display.name), /HeadlessChrome/);
  } finally {
    await display.close();
  }
  assert.match(await userAgent(), /HeadlessChrome/, 'the default stays headless');
});

describe('worker --headed: Chromium with a window on a virtual display', () => {
  let t: TestDatabase;
  let mock: SpawnedWorker;
  let mockUrl: string;

  before(async () => {
    t = await createTestDatabase();
    mock = spawnBin('avt', ['mock', '--port', '0', '--latency-ms', '300', '--seed', '5'], {});
    mockUrl = (await mock.waitForLog((line) => line.event === 'mock:listening')).url as string;
  });
  after(async () => {
    mock.child.kill('SIGTERM');
    await mock.exited;
    await t.drop();
  });

  const addPrompts = (label: string) =>
    t.pool.query(
      `INSERT INTO prompts (text) SELECT $1 || ' CRM for team #' || i || '?' FROM generate_series(1, 3) AS i`,
      [label],
    );
  const runsOf = async (source: string) =>
    (
      await t.pool.query<{ runs: number; done: number }>(
        `SELECT count(*)::int AS runs, count(*) FILTER (WHERE status = 'done')::int AS done
         FROM prompt_runs WHERE ai_source = $1`,
        [source],
      )
    ).rows[0] as { runs: number; done: number };

  function startWorker(source: string, mode: 'per-job' | 'shared', extra: string[]) {
    return spawnBin(
      'worker',
      [
        ...['--ai-source', source, '--worker-id', '1', '--browser', mode, '--headed'],
        ...['--concurrency', '2', '--no-maintenance', '--stable-ms', '300'],
        ...['--base-url', `${mockUrl}/${source}/`, ...extra],
      ],
      { DATABASE_URL: t.url, ...NO_DISPLAY },
    );
  }

  /** The worker's Xvfb, from its log line, checked against its process tree. */
  async function xvfbOf(worker: SpawnedWorker) {
    const line = await worker.waitForLog((entry) => entry.event === 'display:open', 60_000);
    const display = line.display as string;
    const pid = line.xvfb_pid as number;
    assert.match(display, /^:\d+$/);
    assert.ok(descendantPids(worker.child.pid).includes(pid), 'the Xvfb is the worker’s own child');
    assert.match(procList(pid, 'cmdline')[0] ?? '', /Xvfb$/);
    return { display, pid };
  }

  /** Every browser seen ran headed on the worker's display; nothing of it or of its Xvfb is left. */
  function assertHeadedAndGone(seen: Map<string, SeenBrowser>, xvfb: { display: string; pid: number }) {
    assert.ok(seen.size > 0, 'a browser was seen');
    for (const [profile, browser] of seen) {
      assert.equal(browser.args.includes('--headless'), false, `${profile}: ${browser.args.join(' ')}`);
      assert.equal(browser.display, xvfb.display, `${profile} opened its window on the worker's Xvfb`);
      for (const pid of browser.pids) assert.equal(alive(pid), false, `${profile}: process ${pid} is gone`);
    }
    assert.deepEqual(processesOnDisplay(xvfb.display), [], 'no process left on the display');
    assert.equal(alive(xvfb.pid), false, 'the Xvfb is gone');
    assert.equal(existsSync(displaySocket(xvfb.display)), false, 'its socket is removed');
  }

  test('per-job mode: a headed worker with --once completes its prompts, then leaves no Xvfb or Chromium behind', {
    timeout: 300_000,
  }, async () => {
    await addPrompts('per-job');
    const worker = startWorker('chatgpt', 'per-job', ['--once']);
    const browsers = watchBrowsers(worker.child.pid as number);
    try {
      const xvfb = await xvfbOf(worker);
      assert.equal(await worker.exited, 0, worker.stderr());
      browsers.stop();
      assert.deepEqual(await runsOf('chatgpt'), { runs: 3, done: 3 });
      // Per job: the start-up check's browser and one per prompt, each its own process.
      assert.ok(browsers.seen.size >= 2, `browsers seen: ${browsers.seen.size}`);
      assertHeadedAndGone(browsers.seen, xvfb);
    } finally {
      browsers.stop();
      worker.child.kill('SIGKILL');
    }
  });

  test('shared mode: a headed worker stopped by SIGTERM after its prompts leaves no Xvfb or Chromium behind', {
    timeout: 300_000,
  }, async () => {
    await addPrompts('shared');
    const worker = startWorker('perplexity', 'shared', []);
    const browsers = watchBrowsers(worker.child.pid as number);
    try {
      const xvfb = await xvfbOf(worker);
      const { runs } = await runsOf('perplexity');
      await waitFor(
        async () => (await runsOf('perplexity')).done === runs,
        240_000,
        'every perplexity run done',
      );
      assert.ok(processesOnDisplay(xvfb.display).length > 0, 'the shared browser is still on the display');
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      browsers.stop();
      assert.equal(browsers.seen.size, 1, 'one shared browser');
      assertHeadedAndGone(browsers.seen, xvfb);
    } finally {
      browsers.stop();
      worker.child.kill('SIGKILL');
    }
  });

  test('a missing Xvfb is one line saying to install xvfb or set DISPLAY, exit 2', async () => {
    const run = await runBin('worker', ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance'], {
      DATABASE_URL: t.url,
      BROWSER_HEADED: 'true',
      XVFB_PATH: '/nonexistent/Xvfb',
      ...NO_DISPLAY,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(run.stderr.trim().split('\n'), [
      'worker: Xvfb not found (/nonexistent/Xvfb); worker --headed starts one when DISPLAY is unset; ' +
        'install xvfb (apt-get install -y xvfb) or set DISPLAY to a running X display',
    ]);
  });

  test('a Chromium that fails to start stops the Xvfb started for it', { timeout: 120_000 }, async () => {
    const worker = spawnBin(
      'worker',
      ['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--headed'],
      {
        DATABASE_URL: t.url,
        CHROMIUM_PATH: '/bin/false',
        ...NO_DISPLAY,
      },
    );
    try {
      const xvfb = await xvfbOf(worker);
      assert.equal(await worker.exited, 2, worker.stderr());
      assert.match(worker.stderr(), /could not start Chromium at \/bin\/false/);
      assert.equal(alive(xvfb.pid), false, 'the Xvfb is gone');
      assert.equal(existsSync(displaySocket(xvfb.display)), false, 'its socket is removed');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
