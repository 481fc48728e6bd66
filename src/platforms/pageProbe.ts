import type { Page } from 'playwright-core';
import type { PlatformSelectors } from './selectors.ts';

/** One look at the page, taken in a single round trip (a capture polls this ten times a second). */
export interface PageProbe {
  url: string;
  title: string;
  /** Answer containers on the page. */
  turns: number;
  /** Our answer element exists (in the newest turn, if it is newer than `turnsBefore`). */
  hasAnswer: boolean;
  text: string;
  citations: number;
  /**
   * Milliseconds since the page's DOM last changed (nodes or text), by a MutationObserver that the first
   * probe to find the answer installs; null until then.
   */
  quietMs: number | null;
  stop: boolean;
  streaming: boolean;
  finished: boolean;
  absentShown: boolean;
  /** The first block selector present, by kind. */
  blockSelector: { kind: 'captcha' | 'login' | 'rateLimit'; selector: string } | null;
  /** The page's visible text, when asked for (block texts). */
  bodyText: string | null;
}

interface ProbeArgs {
  turn: string[];
  answer: string[];
  stop: string[];
  streaming: string[];
  finished: { scope: string; selectors: string[] };
  citations: { scope: string; selectors: string[] };
  absent: string[];
  blocks: [kind: 'captcha' | 'login' | 'rateLimit', selectors: string[]][];
  turnsBefore: number;
  withBodyText: boolean;
}

/**
 * Every role the completion check needs, read inside the page. The selectors of these roles are plain CSS
 * (document.querySelectorAll); `:scope` means the turn itself.
 */
export async function probePage(
  page: Page,
  selectors: PlatformSelectors,
  turnsBefore: number,
  withBodyText: boolean,
): Promise<PageProbe> {
  const args: ProbeArgs = {
    turn: selectors.turn,
    answer: selectors.answer,
    stop: selectors.stop,
    streaming: selectors.streaming,
    finished: selectors.finished,
    citations: selectors.citations,
    absent: selectors.absent,
    blocks: [
      ['captcha', selectors.blocks.captcha.selectors],
      ['login', selectors.blocks.login.selectors],
      ['rateLimit', selectors.blocks.rateLimit.selectors],
    ],
    turnsBefore,
    withBodyText,
  };
  // A probe that lands mid-navigation (the site sent us to a challenge or an error page) is taken again
  // once the new page is there.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await evaluateProbe(page, args);
    } catch (error) {
      if (
        attempt >= 20 ||
        !/context was destroyed|navigat|Cannot find context|frame was detached/i.test(String(error))
      ) {
        throw error;
      }
      await page.waitForLoadState('domcontentloaded').catch(() => {});
    }
  }
}

function evaluateProbe(page: Page, args: ProbeArgs): Promise<PageProbe> {
  return page.evaluate((a: ProbeArgs): PageProbe => {
    const all = (root: ParentNode, candidates: string[]): Element[] => {
      for (const selector of candidates) {
        if (selector === ':scope') return root instanceof Element ? [root] : [];
        let found: NodeListOf<Element>;
        try {
          found = root.querySelectorAll(selector);
        } catch {
          continue;
        }
        if (found.length > 0) return Array.from(found);
      }
      return [];
    };
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const turns = all(document, a.turn);
    const turn: ParentNode | null =
      a.turn.length === 0
        ? document
        : turns.length > a.turnsBefore
          ? (turns[turns.length - 1] ?? null)
          : null;
    const answers = turn ? all(turn, a.answer) : [];
    const answer = answers[answers.length - 1] as HTMLElement | undefined;
    const scoped = (scope: string) => (scope === 'page' ? document : scope === 'answer' ? answer : turn);
    const finishedRoot = scoped(a.finished.scope);
    const citationRoot = scoped(a.citations.scope);
    let blockSelector: PageProbe['blockSelector'] = null;
    for (const [kind, candidates] of a.blocks) {
      const selector = candidates.find((s) => {
        try {
          return document.querySelector(s) !== null;
        } catch {
          return false;
        }
      });
      if (selector) {
        blockSelector = { kind, selector };
        break;
      }
    }
    // The page itself notes when its DOM last changed, so stability is timed from the change, not from the
    // poll that saw it. The whole body is watched (citations may sit outside the turn): a change anywhere
    // only makes the wait longer.
    const watch = window as unknown as { __avtChangedAt?: number };
    if (answer && watch.__avtChangedAt === undefined && document.body) {
      watch.__avtChangedAt = performance.now();
      new MutationObserver(() => {
        watch.__avtChangedAt = performance.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }
    const bodyText = document.body?.innerText ?? '';
    return {
      url: location.href,
      title: document.title,
      turns: turns.length,
      hasAnswer: answer !== undefined,
      text: answer?.innerText ?? '',
      citations: citationRoot ? all(citationRoot, a.citations.selectors).length : 0,
      quietMs: watch.__avtChangedAt === undefined ? null : performance.now() - watch.__avtChangedAt,
      stop: a.stop.some((selector) => {
        try {
          return Array.from(document.querySelectorAll(selector)).some(visible);
        } catch {
          return false;
        }
      }),
      streaming: turn ? all(turn, a.streaming).length > 0 : false,
      finished: finishedRoot ? all(finishedRoot, a.finished.selectors).length > 0 : false,
      absentShown: a.absent.some((text) => bodyText.includes(text)),
      blockSelector,
      bodyText: a.withBodyText ? bodyText.slice(0, 20_000) : null,
    };
  }, args);
}
