import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { findChromium } from '../../src/browser/findChromium.ts';
import { CHROMIUM_ARGS } from '../../src/browser/launchFlags.ts';
import { SharedBrowser } from '../../src/browser/sharedBrowser.ts';
import type { ClaimedRun } from '../../src/job/claimedRun.ts';
import { NavigationError } from '../../src/job/errors.ts';
import { expectedCapture, type MockPlatform, startMockPlatform } from '../../src/mock/index.ts';
import { capturePrompt, openStartPage } from '../../src/platforms/capture.ts';
import { createCaptureJob } from '../../src/platforms/captureJob.ts';
import { DEFAULT_CAPTURE_TIMEOUTS } from '../../src/platforms/captureTimeouts.ts';
import { loadSelectors, startUrl } from '../../src/platforms/selectors.ts';

const logger = pino({ level: 'silent' });
const SEED = 11;
const timeouts = { ...DEFAULT_CAPTURE_TIMEOUTS, stableMs: 300 };
const selectors = loadSelectors('chatgpt');
let mock: MockPlatform;
let executablePath: string;
let dir: string;

before(async () => {
  mock = await startMockPlatform({ port: 0, latencyMs: 300, seed: SEED });
  executablePath = (await findChromium()).executablePath;
  dir = await mkdtemp(join(tmpdir(), 'avt-warm-'));
});
after(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

const pageLoads = () => mock.stats().chatgpt.pageLoads;

function job(promptText: string) {
  const run: ClaimedRun = {
    runId: '7',
    promptId: '00000000-0000-0000-0000-000000000000',
    promptText,
    aiSource: 'chatgpt',
    round: 1,
    sample: 1,
    attempt: 1,
    maxAttempts: 5,
    leaseToken: '00000000-0000-0000-0000-000000000001',
    lockedBy: '1@test',
    lockedUntil: new Date(),
  };
  return { run, signal: new AbortController().signal, logger };
}

/** A shared browser with one warm page that loads `base`'s start page, and the capture handler over it. */
function warmCapture(base: string) {
  const provider = new SharedBrowser({
    executablePath,
    logger,
    warm: {
      pages: 1,
      contextOptions: () => ({}),
      open: (page) => openStartPage(page, startUrl(selectors, '', base), timeouts.navigationMs, 'load'),
    },
  });
  const handler = createCaptureJob({
    provider,
    selectors,
    baseUrl: base,
    timeouts,
    contextOptions: () => ({}),
    artifactsDir: join(dir, 'artifacts'),
    traceOnFailure: false,
  });
  return { provider, handler };
}

describe('warm pages that loaded the start page before the job', () => {
  test('the job uses the loaded page instead of loading it again, and captures the whole answer', async () => {
    const { provider, handler } = warmCapture(`${mock.url}/chatgpt/`);
    try {
      const before = pageLoads();
      await provider.warmUp();
      assert.equal(pageLoads(), before + 1, 'the warm page loaded the start page');
      const prompt = 'Which CRM keeps a five-person sales team honest?';
      const result = await handler.run(job(prompt));
      // The replacement warm page waits a few seconds after a take, so nothing else loaded it meanwhile.
      assert.equal(pageLoads(), before + 1, 'the job did not load the start page a second time');
      const expected = expectedCapture('chatgpt', prompt, { seed: SEED });
      assert.equal(result.response.answerText, expected.answerText);
      assert.deepEqual(
        result.citations.map((c) => c.url),
        expected.strippedCitations.map((c) => c.url),
      );
    } finally {
      await handler.close?.();
    }
  });

  test('a start page that answered an HTTP error fails the job as the job’s own load would', async () => {
    const { provider, handler } = warmCapture(`${mock.url}/chatgpt/gone/`);
    try {
      await provider.warmUp();
      await assert.rejects(handler.run(job('Any CRM?')), (error: unknown) => {
        assert.ok(error instanceof NavigationError, String(error));
        assert.match(error.message, /answered HTTP 404/);
        return true;
      });
    } finally {
      await handler.close?.();
    }
  });

  describe('capturePrompt given what a page already loaded', () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    });
    after(() => browser.close());

    for (const [what, age, url, loads] of [
      ['fresh and for this start page: not loaded again', 1_000, '', 0],
      ['loaded 10 minutes ago: loaded again', 600_000, '', 1],
      ['for another start page: loaded again', 1_000, '?other', 1],
    ] as const) {
      test(what, async () => {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const base = `${mock.url}/chatgpt/`;
          const opened = await openStartPage(
            page,
            `${startUrl(selectors, '', base)}${url}`,
            timeouts.navigationMs,
          );
          const before = pageLoads();
          const prompt = `Is a spreadsheet still a CRM (${what})?`;
          const captured = await capturePrompt(page, selectors, prompt, {
            baseUrl: base,
            timeouts,
            signal: new AbortController().signal,
            opened: { ...opened, at: Date.now() - age },
          });
          assert.equal(pageLoads() - before, loads);
          assert.equal(captured.answerText, expectedCapture('chatgpt', prompt, { seed: SEED }).answerText);
        } finally {
          await context.close();
        }
      });
    }
  });
});
