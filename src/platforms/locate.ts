import type { Locator, Page } from 'playwright-core';

type Root = Page | Locator;

/** The first candidate (in preference order) with a visible match; its last match when `last`. */
export async function firstVisible(root: Root, candidates: string[], last = false): Promise<Locator | null> {
  for (const selector of candidates) {
    const matches = root.locator(selector);
    const target = last ? matches.last() : matches.first();
    if ((await matches.count()) > 0 && (await target.isVisible().catch(() => false))) return target;
  }
  return null;
}

/** The first candidate with any match, visible or not; its last match when `last`. */
export async function firstPresent(root: Root, candidates: string[], last = false): Promise<Locator | null> {
  for (const selector of candidates) {
    const matches = root.locator(selector);
    if ((await matches.count()) > 0) return last ? matches.last() : matches.first();
  }
  return null;
}

/** Waits until one of the candidates is visible, polling; null on timeout. */
export async function waitForVisible(
  root: Root,
  candidates: string[],
  timeoutMs: number,
  signal: AbortSignal,
  check?: () => Promise<void>,
): Promise<Locator | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    await check?.();
    const found = await firstVisible(root, candidates);
    if (found || Date.now() > deadline) return found;
    await delay(100, signal);
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
