import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { findChromium } from '../../src/browser/findChromium.ts';
import { CHROMIUM_ARGS } from '../../src/browser/launchFlags.ts';
import {
  CaptchaError,
  JobTimeoutError,
  LoginRequiredError,
  NavigationError,
  RateLimitedError,
  SelectorDriftError,
} from '../../src/job/errors.ts';
import { expectedCapture, type MockPlatform, startMockPlatform } from '../../src/mock/index.ts';
import { capturePrompt } from '../../src/platforms/capture.ts';
import { DEFAULT_CAPTURE_TIMEOUTS } from '../../src/platforms/captureTimeouts.ts';
import { loadSelectors, PLATFORMS, type Platform } from '../../src/platforms/selectors.ts';

const SEED = 7;
const prefix = (platform: Platform) => (platform === 'google_ai_overview' ? 'google' : platform);
const timeouts = { ...DEFAULT_CAPTURE_TIMEOUTS, stableMs: 300, finishedGraceMs: 1_500, answerMs: 8_000 };
// Faults are recognised quickly; only the waits that expire (blank, hang) need short limits here.
const faultTimeouts = { inputMs: 1_500, answerStartMs: 2_000, answerMs: 3_000 };

let mock: MockPlatform;
let browser: Browser;
before(async () => {
  mock = await startMockPlatform({ port: 0, latencyMs: 400, seed: SEED });
  browser = await chromium.launch({
    executablePath: (await findChromium()).executablePath,
    args: CHROMIUM_ARGS,
  });
});
after(async () => {
  await browser.close();
  await mock.close();
});

async function capture(platform: Platform, prompt: string, overrides: Partial<typeof timeouts> = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    return await capturePrompt(page, loadSelectors(platform), prompt, {
      baseUrl: `${mock.url}/${prefix(platform)}/`,
      timeouts: { ...timeouts, ...overrides },
      signal: new AbortController().signal,
    });
  } finally {
    await context.close();
  }
}

describe('each adapter against its mock flavour', () => {
  for (const platform of PLATFORMS) {
    test(`${platform}: the captured answer, citations (in order) and model equal the page's`, async () => {
      const prompt = `Which CRM should a ${platform} reader pick for a small sales team?`;
      const expected = expectedCapture(prefix(platform), prompt, { seed: SEED });
      const captured = await capture(platform, prompt);
      assert.equal(captured.answerText, expected.answerText);
      assert.deepEqual(
        captured.citations.map((c) => ({ url: c.url, title: c.title })),
        expected.strippedCitations,
      );
      assert.deepEqual(
        captured.citations.map((c) => c.position),
        expected.strippedCitations.map((_, i) => i + 1),
      );
      assert.equal(captured.model, expected.model);
      assert.ok(captured.answerHtml.length > captured.answerText.length);
    });
  }

  test('google_ai_overview: a search without an AI Overview is a valid, empty answer', async () => {
    const captured = await capture('google_ai_overview', 'weather tomorrow [[aio:none]]');
    assert.deepEqual(captured, { answerText: '', answerHtml: '', citations: [], model: null });
  });
});

describe('faults are recognised and typed', () => {
  const cases: [string, new (...args: never[]) => Error][] = [
    ['429', RateLimitedError],
    ['captcha', CaptchaError],
    ['login', LoginRequiredError],
    ['500', NavigationError],
    ['blank', SelectorDriftError],
    ['half', SelectorDriftError],
    ['hang', JobTimeoutError],
  ];
  for (const platform of PLATFORMS) {
    for (const [fault, expected] of cases) {
      if (platform === 'google_ai_overview' && (fault === 'half' || fault === 'hang')) continue;
      test(`${platform}: ${fault} → ${expected.name}`, async () => {
        await assert.rejects(
          capture(platform, `best CRM [[fault:${fault}]]`, faultTimeouts),
          (error: unknown) => {
            assert.ok(
              error instanceof expected,
              `${platform}/${fault}: got ${(error as Error).name}: ${(error as Error).message}`,
            );
            if (error instanceof RateLimitedError) assert.equal(error.retryAfterSeconds, 30);
            return true;
          },
        );
      });
    }
  }
});
