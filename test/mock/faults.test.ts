import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Response } from 'playwright-core';
import { expectedCapture } from '../../src/mock/expectedCapture.ts';
import type { FaultKind } from '../../src/mock/faults.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import {
  type BlockSignals,
  blockHits,
  launchBrowser,
  preferred,
  selectorFile,
  startUrl,
  submitPrompt,
  watchErrors,
} from './helpers.ts';

let mock: MockPlatform;
let browser: Browser;

before(async () => {
  [mock, browser] = await Promise.all([
    // fixed: a hang, a half answer and a whole one to the same question are the same answer
    startMockPlatform({ port: 0, latencyMs: 300, seed: 11, sampling: 'fixed' }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await mock?.close();
});

const FLAVOURS = ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot', 'google'] as const;
type BlockName = 'captcha' | 'login' | 'rateLimit';
const BLOCK_OF: Partial<Record<FaultKind, BlockName>> = {
  '429': 'rateLimit',
  captcha: 'captcha',
  login: 'login',
};

/** Opens the flavour, asks a prompt that carries the fault, and returns the page it ends on. */
async function meetFault(page: Page, flavour: string, kind: FaultKind): Promise<Response | null> {
  const prompt = `best crm for a bakery [[fault:${kind}]]`;
  if (flavour === 'google') return page.goto(startUrl(mock.url, flavour, prompt));
  await page.goto(startUrl(mock.url, flavour));
  const navigation = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
  );
  await submitPrompt(page, flavour, prompt);
  const response = await navigation;
  // the response alone can come before the new document replaces the chat page
  await page.waitForURL(response.url());
  return response;
}

const isEmpty = (block: BlockSignals) =>
  block.selectors.length + block.titles.length + block.texts.length + block.urlPatterns.length === 0;

for (const flavour of FLAVOURS) {
  describe(`${flavour}: each fault shows the page the selector file's blocks describe`, () => {
    const file = selectorFile(flavour);
    for (const kind of ['429', 'captcha', 'login', '500', 'blank'] as const) {
      test(kind, async () => {
        const page = await browser.newPage();
        const errors = watchErrors(page);
        try {
          const response = await meetFault(page, flavour, kind);
          assert.ok(response);
          const expectedStatus = { '429': 429, '500': 500, blank: 200, login: 200 }[kind as string];
          if (expectedStatus) assert.equal(response.status(), expectedStatus);
          if (kind === '429') assert.equal(response.headers()['retry-after'], '30');
          if (kind === 'captcha')
            assert.equal(response.status(), flavour === 'google' || flavour === 'gemini' ? 200 : 403);
          if (kind === 'blank') {
            assert.equal(await page.evaluate(() => document.body.childElementCount), 0);
            assert.equal(await page.evaluate(() => document.body.innerText), '');
          }
          for (const name of ['captcha', 'login', 'rateLimit'] as const) {
            const hits = await blockHits(page, file.blocks[name]);
            if (BLOCK_OF[kind] === name && !isEmpty(file.blocks[name])) {
              assert.ok(hits.length > 0, `the ${kind} page shows none of blocks.${name}'s signals`);
            } else {
              assert.deepEqual(hits, [], `the ${kind} page also looks like blocks.${name}`);
            }
          }
          // a 4xx/5xx document is reported by Chromium itself, as on the real site; nothing else may be
          assert.deepEqual(
            errors.filter(
              (e) => !/^Failed to load resource: the server responded with a status of (403|429|500)/.test(e),
            ),
            [],
          );
        } finally {
          await page.close();
        }
      });
    }

    test('hang keeps the stop control; half drops it without a finished marker', async () => {
      const [hang, half, control] = await Promise.all([
        browser.newPage(),
        browser.newPage(),
        browser.newPage(),
      ]);
      try {
        const prompt = 'best crm for a bakery';
        const full = expectedCapture(flavour, prompt, { seed: 11 }).answerText;
        const finished = preferred(file.finished.selectors, 'finished');
        if (flavour === 'google') {
          await hang.goto(startUrl(mock.url, flavour, `${prompt} [[fault:hang]]`));
          await half.goto(startUrl(mock.url, flavour, `${prompt} [[fault:half]]`));
          await control.goto(startUrl(mock.url, flavour, prompt));
        } else {
          await Promise.all([hang, half, control].map((p) => p.goto(startUrl(mock.url, flavour))));
          await submitPrompt(hang, flavour, `${prompt} [[fault:hang]]`);
          await submitPrompt(half, flavour, `${prompt} [[fault:half]]`);
          await half.locator(preferred(file.stop, 'stop')).waitFor({ state: 'detached' });
          await submitPrompt(control, flavour, prompt);
        }
        // the control started last with the same latency: once it is done, the others would be too
        await control.locator(finished).first().waitFor();
        const answer = file.turn[0]
          ? `${file.turn[0]} ${preferred(file.answer, 'answer')}`
          : preferred(file.answer, 'answer');
        for (const [name, page] of [
          ['hang', hang],
          ['half', half],
        ] as const) {
          for (const marker of file.finished.selectors) {
            assert.equal(await page.locator(marker).count(), 0, `${name}: finished marker ${marker}`);
          }
          const text = await page.locator(answer).last().innerText();
          assert.ok(
            text.length > 0 && text.length < full.length,
            `${name}: expected a partial answer, got ${text.length} chars`,
          );
          assert.ok(full.startsWith(text), `${name}: the partial answer is not a prefix of the full one`);
        }
        if (flavour !== 'google') {
          assert.equal(
            await hang.locator(preferred(file.stop, 'stop')).count(),
            1,
            'hang: the stop control stays',
          );
          for (const stop of file.stop)
            assert.equal(await half.locator(stop).count(), 0, `half: stop control ${stop}`);
        }
      } finally {
        await Promise.all([hang.close(), half.close(), control.close()]);
      }
    });

    test('GET /stats counts one of each fault', async () => {
      const stats = (await (await fetch(`${mock.url}/stats`)).json()) as Record<
        string,
        { faults: Record<string, number> }
      >;
      assert.deepEqual(stats[flavour]?.faults, {
        '429': 1,
        captcha: 1,
        login: 1,
        hang: 1,
        half: 1,
        '500': 1,
        blank: 1,
      });
    });
  });
}
