import type { Locator, Page, Response } from 'playwright-core';
import { JobTimeoutError, NavigationError, SelectorDriftError } from '../worker/jobErrors.ts';
import type { CaptureTimeouts } from './captureTimeouts.ts';
import { detectBlock } from './detectBlock.ts';
import { anyVisible, delay, firstPresent, firstVisible, waitForVisible } from './locate.ts';
import { type PlatformSelectors, startUrl } from './selectors.ts';

export interface CapturedCitation {
  position: number;
  url: string;
  title: string | null;
}

/** What an adapter reads off the page for one prompt. */
export interface Capture {
  answerText: string;
  answerHtml: string;
  citations: CapturedCitation[];
  model: string | null;
}

export interface CaptureOptions {
  baseUrl?: string | undefined;
  timeouts: CaptureTimeouts;
  signal: AbortSignal;
}

/**
 * Drives one platform's page through one prompt: open, recognise blocks, dismiss dialogs, submit, prove the
 * streamed answer complete, read answer, citations and model. Throws the typed JobError for what went wrong;
 * a half answer is never returned as complete.
 */
export async function capturePrompt(
  page: Page,
  selectors: PlatformSelectors,
  prompt: string,
  options: CaptureOptions,
): Promise<Capture> {
  const { timeouts, signal } = options;
  const url = startUrl(selectors, prompt, options.baseUrl);
  // The site may navigate away after submit (to a challenge, a login wall, an error page): keep its status.
  let lastDocument: Response | null = null;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
      lastDocument = response;
  });
  const response = await page
    .goto(url, { waitUntil: 'domcontentloaded', timeout: timeouts.navigationMs })
    .catch((error: Error) => {
      throw new NavigationError(`could not load ${url}: ${error.message}`, { cause: error });
    });
  const blocked = await detectBlock(page, selectors.blocks, { matchTexts: true, response });
  if (blocked) throw blocked;
  if (response && response.status() >= 400) {
    throw new NavigationError(`${url} answered HTTP ${response.status()}`);
  }
  await dismissDialogs(page, selectors);

  const checkBlocks = async (matchTexts: boolean) => {
    const error = await detectBlock(page, selectors.blocks, { matchTexts, response: lastDocument });
    if (error) throw error;
    const status = (lastDocument as Response | null)?.status() ?? 200;
    if (status >= 400) throw new NavigationError(`${page.url()} answered HTTP ${status}`);
  };

  let turnsBefore = 0;
  if (selectors.submitVia === 'input') {
    const input = await waitForVisible(page, selectors.input, timeouts.inputMs, signal, () =>
      checkBlocks(true),
    );
    if (!input) {
      await checkBlocks(true);
      throw drift(page, `no input box matched (${selectors.input.join(' | ')})`);
    }
    turnsBefore = await countTurns(page, selectors);
    await input.click({ timeout: timeouts.inputMs });
    await input.fill(prompt, { timeout: timeouts.inputMs });
    await submit(page, selectors, input, timeouts);
  }

  const turn = await waitForTurn(page, selectors, turnsBefore, options, checkBlocks);
  if (turn === 'absent') return { answerText: '', answerHtml: '', citations: [], model: null };
  const answer = await waitForCompletion(page, selectors, turn, options, checkBlocks);
  return readCapture(page, selectors, turn, answer, signal);
}

async function dismissDialogs(page: Page, selectors: PlatformSelectors): Promise<void> {
  for (const selector of selectors.dismiss) {
    const target = page.locator(selector).first();
    if (await target.isVisible().catch(() => false)) await target.click({ timeout: 2_000 }).catch(() => {});
  }
}

async function countTurns(page: Page, selectors: PlatformSelectors): Promise<number> {
  const candidates = selectors.turn.length > 0 ? selectors.turn : selectors.answer;
  const found = await firstPresent(page, candidates);
  if (!found) return 0;
  for (const selector of candidates) {
    const n = await page.locator(selector).count();
    if (n > 0) return n;
  }
  return 0;
}

async function submit(page: Page, selectors: PlatformSelectors, input: Locator, timeouts: CaptureTimeouts) {
  // Some sites enable the send button only once the typed text has registered.
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline) {
    const button = await firstVisible(page, selectors.submit);
    if (button && (await button.isEnabled().catch(() => false))) {
      await button.click({ timeout: timeouts.inputMs });
      return;
    }
    await delay(50);
  }
  await input.press('Enter');
}

type Turn = Locator | Page;

/** Waits for our answer's container (a new turn), or 'absent' when the page says there is no answer. */
async function waitForTurn(
  page: Page,
  selectors: PlatformSelectors,
  turnsBefore: number,
  { timeouts, signal }: CaptureOptions,
  checkBlocks: (matchTexts: boolean) => Promise<void>,
): Promise<Turn | 'absent'> {
  const started = Date.now();
  const deadline = started + timeouts.answerStartMs;
  for (;;) {
    signal.throwIfAborted();
    await checkBlocks(true);
    if (selectors.turn.length === 0) {
      if (await firstPresent(page, selectors.answer)) return page;
    } else {
      for (const selector of selectors.turn) {
        const turns = page.locator(selector);
        if ((await turns.count()) > turnsBefore) return turns.last();
      }
    }
    if (selectors.absent.length > 0 && (await absentShown(page, selectors.absent))) return 'absent';
    if (selectors.absentAfterMs !== undefined && Date.now() - started > selectors.absentAfterMs)
      return 'absent';
    if (Date.now() > deadline) {
      if (await anyVisible(page, selectors.stop))
        throw new JobTimeoutError('the answer did not start in time');
      throw drift(
        page,
        `no answer appeared after submitting (${[...selectors.turn, ...selectors.answer].join(' | ')})`,
      );
    }
    await delay(100, signal);
  }
}

async function absentShown(page: Page, texts: string[]): Promise<boolean> {
  for (const text of texts) {
    if (
      await page
        .getByText(text)
        .first()
        .isVisible()
        .catch(() => false)
    )
      return true;
  }
  return false;
}

/**
 * Completion is proven, not guessed: the stop control is gone, the finished marker is present, nothing is
 * marked as streaming, and the text and citations have not changed for `stableMs`.
 */
async function waitForCompletion(
  page: Page,
  selectors: PlatformSelectors,
  turn: Turn,
  { timeouts, signal }: CaptureOptions,
  checkBlocks: (matchTexts: boolean) => Promise<void>,
): Promise<Locator> {
  const deadline = Date.now() + timeouts.answerMs;
  const citationRoot = selectors.citations.scope === 'page' ? page : turn;
  let lastSnapshot = '';
  let stableSince = Date.now();
  let quietSince: number | null = null;
  let expanded = false;
  for (;;) {
    signal.throwIfAborted();
    await checkBlocks(false);
    if (!expanded && selectors.expand.length > 0) {
      const expander = await firstVisible(page, selectors.expand);
      if (expander) {
        await expander.click({ timeout: 2_000 }).catch(() => {});
        expanded = true;
      }
    }
    const answer = await firstPresent(turn, selectors.answer, true);
    const text = answer ? await answer.innerText().catch(() => '') : '';
    const citations = await countCitations(citationRoot, selectors);
    const snapshot = `${citations}\u0000${text}`;
    const now = Date.now();
    if (snapshot !== lastSnapshot) {
      lastSnapshot = snapshot;
      stableSince = now;
    }
    const stopping = await anyVisible(page, selectors.stop);
    const streaming =
      selectors.streaming.length > 0 && (await firstPresent(turn, selectors.streaming)) !== null;
    const finishedRoot = selectors.finished.scope === 'page' ? page : turn;
    const finished = (await firstPresent(finishedRoot, selectors.finished.selectors)) !== null;
    const stable = now - stableSince >= timeouts.stableMs;
    if (answer && !stopping && !streaming && finished && stable) return answer;
    // Stopped and quiet, yet no finished marker: a truncated answer or a changed marker. Never store it.
    quietSince = !stopping && !streaming && !finished && stable ? (quietSince ?? now) : null;
    if (quietSince !== null && now - quietSince >= timeouts.finishedGraceMs) {
      throw drift(
        page,
        `the answer stopped without a finished marker (${selectors.finished.selectors.join(' | ')}); it may be cut off`,
      );
    }
    if (now > deadline) {
      if (stopping || streaming)
        throw new JobTimeoutError(`the answer was still streaming after ${timeouts.answerMs} ms`);
      throw drift(page, 'completion could not be proven before the timeout');
    }
    await delay(100, signal);
  }
}

/** The first candidate selector with any match under `root`. */
async function matchingSelector(root: Turn, candidates: string[]): Promise<string | null> {
  for (const selector of candidates) {
    if ((await root.locator(selector).count()) > 0) return selector;
  }
  return null;
}

async function countCitations(root: Turn, selectors: PlatformSelectors): Promise<number> {
  const selector = await matchingSelector(root, selectors.citations.selectors);
  return selector ? root.locator(selector).count() : 0;
}

async function readCapture(
  page: Page,
  selectors: PlatformSelectors,
  turn: Turn,
  answer: Locator,
  signal: AbortSignal,
): Promise<Capture> {
  signal.throwIfAborted();
  const reveal = await firstVisible(page, selectors.citations.reveal);
  if (reveal) await reveal.click({ timeout: 2_000 }).catch(() => {});
  const root =
    selectors.citations.scope === 'page' ? page : selectors.citations.scope === 'answer' ? answer : turn;
  const selector = await matchingSelector(root, selectors.citations.selectors);
  const raw = selector
    ? await root.locator(selector).evaluateAll((elements) =>
        elements.map((element) => ({
          href: (element as HTMLAnchorElement).href,
          title: (element.getAttribute('title') || element.textContent || '').trim() || null,
        })),
      )
    : [];
  const citations = raw.map((link, index) => ({
    position: index + 1,
    url: stripParams(link.href, selectors.stripParams),
    title: link.title,
  }));
  return {
    answerText: (await answer.innerText()).trim(),
    answerHtml: await answer.innerHTML(),
    citations,
    model: await readModel(page, turn, selectors),
  };
}

async function readModel(page: Page, turn: Turn, selectors: PlatformSelectors): Promise<string | null> {
  if (!selectors.model) return null;
  for (const root of [turn, page]) {
    const found = await firstPresent(root, selectors.model.selectors, true);
    if (!found) continue;
    // The attribute when the element has it (a model slug), else the element's text (a picker's label).
    const attribute = selectors.model.attribute ? await found.getAttribute(selectors.model.attribute) : null;
    const value = attribute ?? (await found.innerText().catch(() => null));
    if (value?.trim()) return value.trim();
  }
  return null;
}

export function stripParams(href: string, params: string[]): string {
  if (params.length === 0) return href;
  try {
    const url = new URL(href);
    if (!params.some((param) => url.searchParams.has(param))) return href;
    for (const param of params) url.searchParams.delete(param);
    return url.toString();
  } catch {
    return href;
  }
}

function drift(page: Page, detail: string): SelectorDriftError {
  return new SelectorDriftError(`${detail} at ${page.url()}`);
}
