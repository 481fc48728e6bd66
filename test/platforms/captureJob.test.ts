import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { JobContextOptions } from '../../src/browser/contextOptions.ts';
import { parseProxy } from '../../src/browser/contextOptions.ts';
import { findChromium } from '../../src/browser/findChromium.ts';
import { PerJobBrowsers } from '../../src/browser/perJobBrowsers.ts';
import type { ClaimedRun } from '../../src/job/claimedRun.ts';
import { classifyError, NavigationError } from '../../src/job/errors.ts';
import { expectedCapture, type MockPlatform, startMockPlatform } from '../../src/mock/index.ts';
import { createCaptureJob } from '../../src/platforms/captureJob.ts';
import { DEFAULT_CAPTURE_TIMEOUTS } from '../../src/platforms/captureTimeouts.ts';
import { loadSelectors } from '../../src/platforms/selectors.ts';
import { startTestProxy, type TestProxy } from '../helpers/proxy.ts';

const logger = pino({ level: 'silent' });
let mock: MockPlatform;
let proxy: TestProxy;
let dir: string;
let executablePath: string;

before(async () => {
  mock = await startMockPlatform({ port: 0, latencyMs: 200, seed: 3 });
  proxy = await startTestProxy({ host: '127.0.0.1', port: mock.port });
  dir = await mkdtemp(join(tmpdir(), 'avt-capture-'));
  executablePath = (await findChromium()).executablePath;
});
after(async () => {
  await proxy.close();
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

function run(promptText: string, runId = '41'): ClaimedRun {
  return {
    runId,
    promptId: '00000000-0000-0000-0000-000000000000',
    promptText,
    aiSource: 'chatgpt',
    round: 1,
    sample: 1,
    attempt: 2,
    maxAttempts: 5,
    leaseToken: '00000000-0000-0000-0000-000000000001',
    lockedBy: '1@test',
    lockedUntil: new Date(),
  };
}

function handler(contextOptions: JobContextOptions, baseUrl = `${mock.url}/chatgpt/`) {
  return createCaptureJob({
    provider: new PerJobBrowsers({ executablePath, logger }),
    selectors: loadSelectors('chatgpt'),
    baseUrl,
    timeouts: { ...DEFAULT_CAPTURE_TIMEOUTS, stableMs: 300 },
    contextOptions: () => contextOptions,
    artifactsDir: join(dir, 'artifacts'),
    traceOnFailure: true,
  });
}

const job = (promptText: string, runId?: string) => ({
  run: run(promptText, runId),
  signal: new AbortController().signal,
  logger,
});

describe('the capture job', () => {
  test('storageState cookies and the locale reach the site', async () => {
    const statePath = join(dir, 'state.json');
    await writeFile(
      statePath,
      JSON.stringify({
        cookies: [
          {
            name: 'session',
            value: 'logged-in-42',
            domain: '127.0.0.1',
            path: '/',
            expires: -1,
            httpOnly: true,
            secure: false,
            sameSite: 'Lax',
          },
        ],
        origins: [],
      }),
    );
    await mock.resetStats();
    const result = await handler({ storageStatePath: statePath, locale: 'de-DE' }).run(
      job('best CRM for a bakery'),
    );
    assert.equal(
      result.response.answerText,
      expectedCapture('chatgpt', 'best CRM for a bakery', { seed: 3 }).answerText,
    );
    const page = mock.requests().find((r) => r.flavour === 'chatgpt' && r.method === 'GET');
    assert.match(page?.cookie ?? '', /session=logged-in-42/);
    assert.match(page?.acceptLanguage ?? '', /^de-DE/);
  });

  test('traffic goes through the configured proxy', async () => {
    await mock.resetStats();
    // A non-loopback name: Chromium never proxies loopback addresses; the test proxy sends it to the mock.
    const result = await handler(
      { proxy: parseProxy(proxy.url) },
      `http://mock.avt.test:${mock.port}/chatgpt/`,
    ).run(job('best CRM behind a proxy'));
    assert.ok(result.response.answerText.length > 0);
    assert.ok(proxy.forwarded.some((url) => url.startsWith(`http://mock.avt.test:${mock.port}/chatgpt/`)));
    const requests = mock.requests().filter((r) => r.flavour === 'chatgpt');
    assert.ok(requests.length >= 2);
    assert.ok(
      requests.every((r) => r.via?.includes('avt-test-proxy')),
      'every request passed the proxy',
    );
  });

  test('a failure writes a screenshot, the page HTML and a trace under <artifacts>/<run_id>/<attempt>/', async () => {
    const error = await handler({})
      .run(job('best CRM [[fault:500]]', '977'))
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(error instanceof NavigationError);
    const classified = classifyError(error);
    assert.equal(classified.kind, 'navigation');
    assert.equal(classified.artifactsPath, join(dir, 'artifacts', '977', '2'));
    const files = (await readdir(classified.artifactsPath ?? '')).sort();
    assert.deepEqual(files, ['page.html', 'screenshot.png', 'trace.zip', 'url.txt']);
  });
});
