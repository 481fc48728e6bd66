import type { Locator, Page, Response } from 'playwright-core';
import type { OpenedPage } from '../browser/browserProvider.ts';
import { JobTimeoutError, NavigationError, SelectorDriftError } from '../job/errors.ts';
import type { CaptureTimeouts } from './captureTimeouts.ts';
import { delay } from './delay.ts';
import { matchBlock } from './detectBlock.ts';
import { type PageProbe, probePage } from './pageProbe.ts';
import { firstVisibleIndex, readAnswer } from './pageReads.ts';
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
  /** The start page `page` already loaded (a warm page): used instead of loading it again while fresh. */
  opened?: OpenedPage | undefined;
}

/** A start page loaded longer ago than this is loaded again: the site's session state may have gone stale. */
const OPENED_PAGE_FRESH_MS = 120_000;

/** Loads a platform's start page (also done ahead of a job, in a warm page). */
export async function openStartPage(
  page: Page,
  url: string,
  timeoutMs: number,
  waitUntil: 'domcontentloaded' | 'load' = 'domcontentloaded',
): Promise<OpenedPage> {
  const response = await page.goto(url, { waitUntil, timeout: timeoutMs }).catch((error: Error) => {
    throw new NavigationError(`could not load ${url}: ${error.message}`, { cause: error });
  });
  return { url, loadedUrl: page.url(), response, at: Date.now() };
}

/** The page still shows the start page this job wants, loaded recently. */
function isFresh(opened: OpenedPage | undefined, url: string, page: Page): opened is OpenedPage {
  return (
    opened !== undefined &&
    opened.url === url &&
    page.url() === opened.loadedUrl &&
    Date.now() - opened.at < OPENED_PAGE_FRESH_MS
  );
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
  const opened = options.opened;
  lastDocument = isFresh(opened, url, page)
    ? opened.response
    : (await openStartPage(page, url, timeouts.navigationMs)).response;

  let turnsBefore = 0;
  const probe = async (withBodyText: boolean) => {
    const seen = await probePage(page, selectors, turnsBefore, withBodyText);
    const error = matchBlock(selectors.blocks, seen, lastDocument);
    if (error) throw error;
    const status = (lastDocument as Response | null)?.status() ?? 200;
    if (status >= 400) throw new NavigationError(`${seen.url} answered HTTP ${status}`);
    return seen;
  };
  turnsBefore = (await probe(true)).turns;
  await dismissDialogs(page, selectors);

  if (selectors.submitVia === 'input') {
    const input = await waitForInput(page, selectors, timeouts.inputMs, signal, probe);
    await input.fill(prompt, { timeout: timeouts.inputMs });
    await submit(page, selectors, input, timeouts);
  }

  const started = await waitForAnswer(selectors, options, probe);
  if (started === 'absent') return { answerText: '', answerHtml: '', citations: [], model: null };
  await waitForCompletion(page, selectors, options, probe);
  return readCapture(page, selectors, signal);
}

async function dismissDialogs(page: Page, selectors: PlatformSelectors): Promise<void> {
  if (selectors.dismiss.length === 0) return;
  const dialogs = page.locator(selectors.dismiss.join(', '));
  if ((await dialogs.count()) === 0) return;
  for (const selector of selectors.dismiss) {
    const target = page.locator(selector).first();
    if (await target.isVisible().catch(() => false)) await target.click({ timeout: 2_000 }).catch(() => {});
  }
}

/** The first input candidate to become visible; a block page or no input at all fails the job. */
async function waitForInput(
  page: Page,
  selectors: PlatformSelectors,
  timeoutMs: number,
  signal: AbortSignal,
  probe: Probe,
): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const index = await firstVisibleIndex(page, selectors.input);
    const selector = selectors.input[index];
    if (selector) return page.locator(selector).first();
    const seen = await probe(true);
    if (Date.now() > deadline) throw drift(seen.url, `no input box matched (${selectors.input.join(' | ')})`);
    await delay(100, signal);
  }
}

async function submit(page: Page, selectors: PlatformSelectors, input: Locator, timeouts: CaptureTimeouts) {
  // Some sites enable the send button only once the typed text has registered.
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline) {
    const selector = selectors.submit[await firstVisibleIndex(page, selectors.submit, true)];
    if (selector) {
      await page.locator(selector).first().click({ timeout: timeouts.inputMs });
      return;
    }
    await delay(50);
  }
  await input.press('Enter');
}

type Probe = (withBodyText: boolean) => Promise<PageProbe>;

/** Waits for our answer to appear (in a new turn), or 'absent' when the page has no answer for the query. */
async function waitForAnswer(
  selectors: PlatformSelectors,
  { timeouts, signal }: CaptureOptions,
  probe: Probe,
): Promise<'started' | 'absent'> {
  const started = Date.now();
  const deadline = started + timeouts.answerStartMs;
  for (;;) {
    signal.throwIfAborted();
    const seen = await probe(true);
    if (seen.hasAnswer) return 'started';
    if (seen.absentShown) return 'absent';
    if (selectors.absentAfterMs !== undefined && Date.now() - started > selectors.absentAfterMs)
      return 'absent';
    if (Date.now() > deadline) {
      if (seen.stop) throw new JobTimeoutError('the answer did not start in time');
      throw drift(
        seen.url,
        `no answer appeared after submitting (${[...selectors.turn, ...selectors.answer].join(' | ')})`,
      );
    }
    await delay(100, signal);
  }
}

/**
 * Completion is proven, not guessed: the stop control is gone, the finished marker is present, nothing is
 * marked as streaming, and the text and citations have not changed for `stableMs`.
 */
async function waitForCompletion(
  page: Page,
  selectors: PlatformSelectors,
  { timeouts, signal }: CaptureOptions,
  probe: Probe,
): Promise<void> {
  const deadline = Date.now() + timeouts.answerMs;
  let lastSnapshot = '';
  let stableSince = Date.now();
  let lastLook = stableSince;
  let quietSince: number | null = null;
  let expanded = selectors.expand.length === 0;
  for (;;) {
    signal.throwIfAborted();
    if (!expanded) {
      const expander = selectors.expand[await firstVisibleIndex(page, selectors.expand)];
      if (expander) {
        await page
          .locator(expander)
          .first()
          .click({ timeout: 2_000 })
          .catch(() => {});
        expanded = true;
      }
    }
    const seen = await probe(false);
    const snapshot = `${seen.citations}\u0000${seen.text}`;
    const now = Date.now();
    if (snapshot !== lastSnapshot) {
      // It changed since the last look; the page knows when (never earlier than that last look).
      stableSince = now - Math.min(seen.quietMs ?? 0, now - lastLook);
      lastSnapshot = snapshot;
    }
    lastLook = now;
    const stable = now - stableSince >= timeouts.stableMs;
    const done = seen.hasAnswer && !seen.stop && !seen.streaming && seen.finished;
    if (done && stable) return;
    // Stopped and quiet, yet no finished marker: a truncated answer or a changed marker. Never store it.
    quietSince = !seen.stop && !seen.streaming && !seen.finished && stable ? (quietSince ?? now) : null;
    if (quietSince !== null && now - quietSince >= timeouts.finishedGraceMs) {
      throw drift(
        seen.url,
        `the answer stopped without a finished marker (${selectors.finished.selectors.join(' | ')}); it may be cut off`,
      );
    }
    if (now > deadline) {
      if (seen.stop || seen.streaming) {
        throw new JobTimeoutError(`the answer was still streaming after ${timeouts.answerMs} ms`);
      }
      throw drift(seen.url, 'completion could not be proven before the timeout');
    }
    // While the stop control shows, the end is not near: look less often (every probe costs a layout).
    // Finished and only waiting out stableMs: look again just when it has passed.
    const wait = done ? timeouts.stableMs - (now - stableSince) : seen.stop ? 250 : 100;
    await delay(Math.max(20, wait), signal);
  }
}

async function readCapture(page: Page, selectors: PlatformSelectors, signal: AbortSignal): Promise<Capture> {
  signal.throwIfAborted();
  const reveal = selectors.citations.reveal[await firstVisibleIndex(page, selectors.citations.reveal)];
  if (reveal)
    await page
      .locator(reveal)
      .first()
      .click({ timeout: 2_000 })
      .catch(() => {});
  const raw = await readAnswer(page, selectors);
  if (!raw)
    throw drift(page.url(), `the answer vanished before it could be read (${selectors.answer.join(' | ')})`);
  return {
    answerText: raw.text,
    answerHtml: raw.html,
    citations: raw.links.map((link, index) => ({
      position: index + 1,
      url: stripParams(link.href, selectors.stripParams),
      title: link.title,
    })),
    model: raw.model,
  };
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

function drift(url: string, detail: string): SelectorDriftError {
  return new SelectorDriftError(`${detail} at ${url}`);
}
