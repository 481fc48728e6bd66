import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  type ExpectedCapture,
  expectedCapture,
  expectedStrippedUrl,
} from '../../src/mock/expectedCapture.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import { launchBrowser, preferred, selectorFile, startUrl, watchErrors } from './helpers.ts';

const SEED = 7;
let mock: MockPlatform;
let browser: Browser;

before(async () => {
  [mock, browser] = await Promise.all([
    startMockPlatform({ port: 0, latencyMs: 1200, seed: SEED }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await mock?.close();
});

/** The page's citations under the preferred selector: href exactly as written, and visible text. */
async function citationsOn(page: Page, flavour: string) {
  const file = selectorFile(flavour);
  const selector = preferred(file.citations.selectors, 'citations');
  const scope = file.citations.scope === 'turn' ? page.locator(preferred(file.turn, 'turn')).last() : page;
  return scope
    .locator(selector)
    .evaluateAll((links) =>
      links.map((a) => ({ url: a.getAttribute('href') ?? '', title: (a as HTMLElement).innerText.trim() })),
    );
}

async function modelOn(page: Page, flavour: string) {
  const model = selectorFile(flavour).model;
  if (!model) return null;
  const element = page.locator(preferred(model.selectors, 'model')).first();
  return model.attribute ? element.getAttribute(model.attribute) : (await element.innerText()).trim();
}

/** Asks `prompt` the way an adapter would, checking every role's preferred selector on the way. */
async function askAndCheck(
  page: Page,
  origin: string,
  flavour: string,
  prompt: string,
  expected: ExpectedCapture,
) {
  const file = selectorFile(flavour);
  const turn = file.turn[0];
  const answerCss = turn ? `${turn} ${preferred(file.answer, 'answer')}` : preferred(file.answer, 'answer');
  const stop = preferred(file.stop, 'stop');
  const finished = preferred(file.finished.selectors, 'finished');

  assert.equal((await page.goto(startUrl(origin, flavour)))?.status(), 200);
  const input = page.locator(preferred(file.input, 'input'));
  const submit = page.locator(preferred(file.submit, 'submit'));
  assert.equal(await input.count(), 1, 'one input box');
  assert.equal(await submit.count(), 1, 'one send button');
  assert.equal(await page.locator(stop).count(), 0, 'no stop control before asking');
  if (flavour === 'gemini')
    assert.equal(await submit.isDisabled(), true, 'send is disabled until text is typed');
  if (flavour === 'perplexity')
    assert.match((await submit.getAttribute('class')) ?? '', /pointer-events-none/);

  await input.fill(prompt);
  if (flavour === 'gemini') assert.equal(await submit.isEnabled(), true);
  if (flavour === 'perplexity')
    assert.doesNotMatch((await submit.getAttribute('class')) ?? '', /pointer-events-none/);
  await submit.click();

  // mid-stream: the stop control is there, the answer is partial, the finished marker is not there yet
  const during = await page.waitForFunction(
    ([stopCss, finishedCss, answer, fullLength]) => {
      const element = [...document.querySelectorAll<HTMLElement>(answer)].pop();
      const text = element?.innerText ?? '';
      if (!document.querySelector(stopCss) || !text || text.length >= fullLength) return false;
      return { text, finished: document.querySelector(finishedCss) !== null };
    },
    [stop, finished, answerCss, expected.answerText.length] as const,
    { polling: 10 },
  );
  const partial = (await during.jsonValue()) as { text: string; finished: boolean };
  assert.equal(partial.finished, false, 'the finished marker appeared while streaming');
  assert.ok(expected.answerText.startsWith(partial.text), `partial answer is not a prefix: ${partial.text}`);

  const finishedScope = file.finished.scope === 'turn' && turn ? page.locator(turn).last() : page;
  await finishedScope.locator(finished).first().waitFor();
  assert.equal(await page.locator(stop).count(), 0, 'the stop control is gone once the answer is complete');
  for (const streaming of file.streaming) assert.equal(await page.locator(streaming).count(), 0);
}

describe('each chat flavour reproduces its site: preferred selectors match, the answer streams and is exact', () => {
  for (const flavour of ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot'] as const) {
    test(flavour, async () => {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      if (flavour === 'perplexity') {
        // Record, inside the page, when the finished marker and the first source appear (no timing from outside).
        const file = selectorFile(flavour);
        await page.addInitScript(
          ([finishedCss, sourceCss]) => {
            const times: { finished?: number; source?: number } = {};
            (window as unknown as { avtTimes: typeof times }).avtTimes = times;
            new MutationObserver(() => {
              times.finished ??= document.querySelector(finishedCss) ? performance.now() : undefined;
              times.source ??= document.querySelector(sourceCss) ? performance.now() : undefined;
            }).observe(document, { childList: true, subtree: true, attributes: true });
          },
          [
            preferred(file.finished.selectors, 'finished'),
            preferred(file.citations.selectors, 'citations'),
          ] as const,
        );
      }
      try {
        const prompt = `What is the best CRM for a ${flavour} test team?`;
        const expected = expectedCapture(flavour, prompt, { seed: SEED });
        await askAndCheck(page, mock.url, flavour, prompt, expected);
        if (flavour === 'perplexity') {
          const sources = preferred(selectorFile(flavour).citations.selectors, 'citations');
          await page.waitForFunction(([css, n]) => document.querySelectorAll(css).length === n, [
            sources,
            expected.citations.length,
          ] as const);
          const times = await page.evaluate(
            () => (window as unknown as { avtTimes: { finished?: number; source?: number } }).avtTimes,
          );
          assert.ok(
            times.finished !== undefined && times.source !== undefined && times.source > times.finished,
            `the sources panel fills after the answer is marked finished: ${JSON.stringify(times)}`,
          );
        }
        const file = selectorFile(flavour);
        const turn = file.turn[0];
        const answer = (turn ? page.locator(turn).last() : page)
          .locator(preferred(file.answer, 'answer'))
          .last();
        assert.equal(await answer.innerText(), expected.answerText);
        const citations = await citationsOn(page, flavour);
        assert.ok(citations.length > 0, 'the answer cites something');
        assert.deepEqual(citations, expected.citations);
        assert.deepEqual(
          citations.map((c) => ({ ...c, url: expectedStrippedUrl(c.url, file.stripParams) })),
          expected.strippedCitations,
        );
        assert.equal(await modelOn(page, flavour), expected.model);
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});

describe('typing and Enter, as a person would', () => {
  test('perplexity: keystrokes make Submit clickable; Enter alone also submits', async () => {
    const file = selectorFile('perplexity');
    const page = await browser.newPage();
    try {
      await page.goto(startUrl(mock.url, 'perplexity'));
      const input = page.locator(preferred(file.input, 'input'));
      await input.pressSequentially('crm for a bakery');
      assert.doesNotMatch(
        (await page.locator(preferred(file.submit, 'submit')).getAttribute('class')) ?? '',
        /pointer-events-none/,
      );
      await input.press('Enter');
      await page.locator(preferred(file.finished.selectors, 'finished')).waitFor();
      assert.equal(
        await page.locator(preferred(file.answer, 'answer')).innerText(),
        expectedCapture('perplexity', 'crm for a bakery', { seed: SEED }).answerText,
      );
    } finally {
      await page.close();
    }
  });
});

describe('google: the AI Overview is rendered for the query and must be expanded', () => {
  test('collapsed, then expanded: the preferred selectors match and the text is exact', async () => {
    const file = selectorFile('google');
    const page = await browser.newPage();
    const errors = watchErrors(page);
    try {
      const prompt = 'best crm software for startups';
      const expected = expectedCapture('google_ai_overview', prompt, { seed: SEED });
      assert.equal((await page.goto(startUrl(mock.url, 'google', prompt)))?.status(), 200);
      const absent = page.getByText(preferred(file.absent, 'absent'));
      assert.equal(await absent.count(), 1, 'the "not available" notice is in the DOM');
      assert.equal(await absent.isVisible(), false, 'and hidden');
      await page.locator(preferred(file.finished.selectors, 'finished')).first().waitFor();
      const container = page.locator(preferred(file.answer, 'answer'));
      const folded = await container.innerText();
      assert.ok(folded.length < expected.answerText.length && expected.answerText.startsWith(folded));
      await page.locator(preferred(file.expand, 'expand')).click();
      assert.equal(await container.innerText(), expected.answerText);
      assert.equal(await page.locator(preferred(file.expand, 'expand')).count(), 0, 'the expander is gone');
      assert.deepEqual(await citationsOn(page, 'google'), expected.citations);
      assert.equal(expected.model, null);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('a query without an overview has no container, only the hidden notice', async () => {
    const file = selectorFile('google');
    const page = await browser.newPage();
    try {
      await page.goto(startUrl(mock.url, 'google', 'weather tomorrow [[aio:none]]'));
      assert.equal(await page.locator(preferred(file.answer, 'answer')).count(), 0);
      assert.equal(await page.getByText(preferred(file.absent, 'absent')).isVisible(), false);
      assert.equal(expectedCapture('google', 'weather tomorrow [[aio:none]]').answerText, '');
    } finally {
      await page.close();
    }
  });
});

describe('what the browser sends reaches the mock', () => {
  test('a storageState cookie, the locale and the user agent are in GET /requests', async () => {
    const context = await browser.newContext({
      locale: 'de-DE',
      userAgent: 'avt-test-agent/1.0',
      storageState: {
        cookies: [
          {
            name: 'sessionKey',
            value: 'sk-test-123',
            domain: '127.0.0.1',
            path: '/',
            expires: -1,
            httpOnly: true,
            secure: false,
            sameSite: 'Lax',
          },
        ],
        origins: [],
      },
    });
    try {
      const page = await context.newPage();
      await page.goto(startUrl(mock.url, 'claude'));
      const requests = (await (await fetch(`${mock.url}/requests`)).json()) as {
        path: string;
        cookie: string | null;
        acceptLanguage: string | null;
        userAgent: string | null;
      }[];
      const load = requests.findLast((r) => r.path === '/claude/new');
      assert.ok(load, 'the page load is logged');
      assert.equal(load.cookie, 'sessionKey=sk-test-123');
      assert.match(load.acceptLanguage ?? '', /^de-DE/);
      assert.equal(load.userAgent, 'avt-test-agent/1.0');
    } finally {
      await context.close();
    }
  });
});

describe('brand names with markup characters', () => {
  test('"C&A", "H&M" and "<Lee>" come out of innerText exactly as the expected text says', async () => {
    const brands = [
      { name: 'C&A', domains: ['c-and-a.com'] },
      { name: 'H&M', aliases: ['Hennes & Mauritz'], domains: ['hm.com'] },
      { name: '<Lee>', domains: ['lee.com'] },
    ];
    // Long enough that the mid-stream check can see a partial answer on a busy machine.
    const own = await startMockPlatform({ port: 0, latencyMs: 1500, seed: 3, brands });
    const page = await browser.newPage();
    try {
      const prompt = 'cheap fashion brands';
      const expected = expectedCapture('copilot', prompt, { seed: 3, brands });
      assert.deepEqual([...expected.brands].sort(), ['<Lee>', 'C&A', 'H&M']);
      await askAndCheck(page, own.url, 'copilot', prompt, expected);
      assert.equal(
        await page.locator('[data-content="ai-message"] [data-testid="highlighted-chats"]').innerText(),
        expected.answerText,
      );
      assert.deepEqual(await citationsOn(page, 'copilot'), expected.citations);
    } finally {
      await page.close();
      await own.close();
    }
  });
});
