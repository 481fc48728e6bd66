import type { Page } from 'playwright-core';
import type { PlatformSelectors } from './selectors.ts';

/**
 * Reads done inside the page in one round trip each: a capture under load pays hundreds of milliseconds per
 * browser call, so the steps that would take several calls are done as one. Selectors here are plain CSS.
 */

/** The index of the first candidate (in preference order) with a visible, enabled match; -1 if none. */
export function firstVisibleIndex(page: Page, candidates: string[], enabled = false): Promise<number> {
  return page.evaluate(
    ({ candidates, enabled }) => {
      const visible = (element: Element) => {
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
      };
      const usable = (element: Element) =>
        !enabled ||
        (!(element as HTMLButtonElement).disabled &&
          element.getAttribute('aria-disabled') !== 'true' &&
          getComputedStyle(element).pointerEvents !== 'none');
      return candidates.findIndex((selector) => {
        try {
          return Array.from(document.querySelectorAll(selector)).some((e) => visible(e) && usable(e));
        } catch {
          return false;
        }
      });
    },
    { candidates, enabled },
  );
}

export interface RawAnswer {
  text: string;
  html: string;
  links: { href: string; title: string | null }[];
  model: string | null;
}

/** The newest answer: its text, HTML, cited links (in page order) and the model label. Null if absent. */
export function readAnswer(page: Page, selectors: PlatformSelectors): Promise<RawAnswer | null> {
  const args = {
    turn: selectors.turn,
    answer: selectors.answer,
    citations: selectors.citations,
    model: selectors.model ?? null,
  };
  return page.evaluate((a) => {
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
    const turns = all(document, a.turn);
    const turn: ParentNode | undefined = a.turn.length === 0 ? document : turns[turns.length - 1];
    if (!turn) return null;
    const answers = all(turn, a.answer);
    const answer = answers[answers.length - 1] as HTMLElement | undefined;
    if (!answer) return null;
    const citationRoot =
      a.citations.scope === 'page' ? document : a.citations.scope === 'answer' ? answer : turn;
    const links = all(citationRoot, a.citations.selectors).map((element) => ({
      href: (element as HTMLAnchorElement).href,
      title: (element.getAttribute('title') || element.textContent || '').trim() || null,
    }));
    let model: string | null = null;
    if (a.model) {
      for (const root of [turn, document]) {
        const found = all(root, a.model.selectors);
        const element = found[found.length - 1] as HTMLElement | undefined;
        if (!element) continue;
        const value =
          (a.model.attribute ? element.getAttribute(a.model.attribute) : null) ?? element.innerText;
        if (value?.trim()) {
          model = value.trim();
          break;
        }
      }
    }
    return { text: answer.innerText.trim(), html: answer.innerHTML, links, model };
  }, args);
}
