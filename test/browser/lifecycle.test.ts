import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { BrowserProvider } from '../../src/browser/browserProvider.ts';
import { CONTEXT_CLOSE_DELAY_MS } from '../../src/browser/delayedCloser.ts';
import { findChromium } from '../../src/browser/findChromium.ts';
import { ManagedBrowser } from '../../src/browser/managedBrowser.ts';
import { PerJobBrowsers } from '../../src/browser/perJobBrowsers.ts';
import { descendantPids } from '../../src/browser/processTree.ts';
import { SharedBrowser } from '../../src/browser/sharedBrowser.ts';
import { waitFor } from '../helpers/db.ts';

const logger = pino({ level: 'silent' });
let server: Server;
let url: string;
let executablePath: string;

before(async () => {
  server = createServer((_, response) => response.end('<html><body><h1>hello</h1></body></html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  executablePath = (await findChromium()).executablePath;
});
after(() => {
  server.close();
});

async function runJobs(provider: BrowserProvider, jobs: number, concurrency: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        next += 1;
        const lease = await provider.acquire(() => ({}));
        const page = lease.page ?? (await lease.context.newPage());
        await page.goto(url);
        assert.equal(await page.innerText('h1'), 'hello');
        await lease.release(false);
      }
    }),
  );
}

const noChromiumLeft = () =>
  waitFor(() => descendantPids().length === 0, 10_000, 'no Chromium processes left');

describe('browser lifecycle', () => {
  test('per-job mode: 50 jobs leave no Chromium process behind', async () => {
    const provider = new PerJobBrowsers({ executablePath, logger });
    await runJobs(provider, 50, 2);
    assert.equal(provider.liveBrowsers, 0);
    await provider.close();
    await noChromiumLeft();
  });

  test('shared mode: 50 jobs over recycled browsers leave no Chromium process behind', async () => {
    const provider = new SharedBrowser({ executablePath, logger, recycleAfterJobs: 20 });
    await runJobs(provider, 50, 3);
    assert.ok(provider.liveBrowsers <= 1);
    await provider.close();
    assert.equal(provider.liveBrowsers, 0);
    await noChromiumLeft();
  });

  test('shared mode with warm pages: jobs take a ready page, it is replaced, and 50 jobs leave nothing behind', async () => {
    const provider = new SharedBrowser({
      executablePath,
      logger,
      recycleAfterJobs: 20,
      warm: { pages: 2, contextOptions: () => ({ locale: 'de-DE' }) },
    });
    await provider.warmUp();
    assert.equal(provider.warmPages, 2);
    let drawn = 0;
    const lease = await provider.acquire(() => {
      drawn += 1;
      return {};
    });
    assert.ok(lease.page, 'a warm page comes with the lease');
    assert.equal(drawn, 0, 'a warm page draws no options of its own, so no proxy in the rotation is skipped');
    assert.deepEqual(lease.context.pages(), [lease.page], 'in its own fresh context');
    await lease.page.goto(url);
    assert.equal(await lease.page.evaluate(() => navigator.language), 'de-DE', 'made with the options given');
    assert.equal(provider.warmPages, 1);
    await lease.release(false);
    await waitFor(() => provider.warmPages === 2, 10_000, 'the warm page to be replaced');

    await runJobs(provider, 50, 3);
    assert.ok(provider.liveBrowsers <= 1);
    await provider.close();
    assert.equal(provider.liveBrowsers, 0);
    assert.equal(provider.warmPages, 0);
    await noChromiumLeft();
  });

  test('shared mode: a released context closes a few seconds later; close() does not wait for that', async () => {
    const provider = new SharedBrowser({ executablePath, logger });
    const leases = await Promise.all([1, 2, 3].map(() => provider.acquire(() => ({}))));
    const closed = leases.map(
      (lease) => new Promise<number>((resolve) => lease.context.once('close', () => resolve(Date.now()))),
    );
    const released = Date.now();
    await Promise.all(leases.map((lease) => lease.release(false)));
    const closedAt = await Promise.all(closed);
    for (const at of closedAt) {
      assert.ok(at - released >= CONTEXT_CLOSE_DELAY_MS - 500, `closed after ${at - released} ms`);
    }
    await provider.close();

    // A delay far past the test's timeout: close() returning at all proves it did not wait for it.
    const patient = new SharedBrowser({ executablePath, logger, contextCloseDelayMs: 3_600_000 });
    const late = await patient.acquire(() => ({}));
    let lateClosed = false;
    late.context.once('close', () => {
      lateClosed = true;
    });
    await late.release(false);
    assert.equal(lateClosed, false, 'release() leaves the context open for the delay');
    await patient.close();
    assert.equal(lateClosed, true, 'close() closed the waiting context');
    await noChromiumLeft();
  });

  test('shared mode: a crashed browser is replaced for the next job', async () => {
    const provider = new SharedBrowser({ executablePath, logger });
    const first = await provider.acquire(() => ({}));
    const pids = descendantPids();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await waitFor(() => !first.context.browser()?.isConnected(), 10_000, 'the browser to disconnect');
    await first.release(true);
    await runJobs(provider, 2, 1);
    await provider.close();
    await noChromiumLeft();
  });

  test('a browser that will not close is killed with its process tree', async () => {
    const browser = await ManagedBrowser.launch(executablePath, { launchMs: 30_000, closeMs: 500 });
    const pid = browser.pid;
    assert.ok(pid);
    // SIGSTOP: the browser can no longer answer the close request.
    process.kill(pid, 'SIGSTOP');
    await browser.close();
    await noChromiumLeft();
  });
});
