import type { Logger } from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import { newContext, type OpenedPage, type WarmPageOptions } from './browserProvider.ts';
import type { BrowserTimeouts, ManagedBrowser } from './managedBrowser.ts';
import { withTimeout } from './withTimeout.ts';

/** After a warm page is taken, its replacement waits this long, so it does not slow the job that took it. */
const WARM_REFILL_DELAY_MS = 3_000;

export interface WarmPage {
  browser: ManagedBrowser;
  context: BrowserContext;
  page: Page;
  opened?: OpenedPage;
}

export interface WarmPagePoolDeps {
  timeouts: BrowserTimeouts;
  logger: Logger;
  /** The browser new warm pages open in (the shared one, launched if need be). */
  browser: () => Promise<ManagedBrowser>;
  /** Whether `browser` is still the one jobs are given: a page made for a retired one is closed. */
  isCurrent: (browser: ManagedBrowser) => boolean;
}

/**
 * Contexts with an open page, ready for the next jobs (shared mode): a job that takes one does not start a
 * renderer while other jobs need the CPU. Pages are opened one at a time, and replaced a little after use.
 */
export class WarmPagePool {
  readonly #options: WarmPageOptions;
  readonly #deps: WarmPagePoolDeps;
  readonly #pages: WarmPage[] = [];
  #filling = false;
  #refill: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WarmPageOptions, deps: WarmPagePoolDeps) {
    this.#options = options;
    this.#deps = deps;
  }

  /** Warm pages ready now. */
  get size(): number {
    return this.#pages.length;
  }

  /**
   * Opens the missing warm pages; a worker calls it at start, before its first claim, and it runs again a
   * little after pages are taken. One page at a time: a new page starts a renderer, which costs Chromium
   * most of a second of CPU, and a burst of them would slow every job running meanwhile.
   */
  async fill(): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    const want = this.#options.pages;
    try {
      // Bounded, so a page that cannot open is not retried in a tight loop; the next take starts it again.
      for (let tries = want; tries > 0; tries -= 1) {
        if (this.#closed || this.#pages.length >= want) break;
        await this.#add(await this.#deps.browser());
      }
    } finally {
      this.#filling = false;
    }
  }

  /** A warm page of `browser`, if one is ready; its replacement is made a little later. */
  take(browser: ManagedBrowser): WarmPage | undefined {
    const index = this.#pages.findIndex((w) => w.browser === browser && !w.page.isClosed());
    const warm = index >= 0 ? this.#pages.splice(index, 1)[0] : undefined;
    if (!this.#refill) {
      this.#refill = setTimeout(() => {
        this.#refill = undefined;
        if (!this.#closed) void this.fill().catch(() => {});
      }, WARM_REFILL_DELAY_MS);
      this.#refill.unref();
    }
    return warm;
  }

  /** Closes the warm pages of a browser that is going away. */
  async drop(browser: ManagedBrowser): Promise<void> {
    const dropped = this.#pages.filter((w) => w.browser === browser);
    for (const w of dropped) this.#pages.splice(this.#pages.indexOf(w), 1);
    await Promise.all(dropped.map((w) => w.context.close().catch(() => {})));
  }

  /** Closes every warm page and makes no more. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refill);
    this.#refill = undefined;
    await Promise.all(this.#pages.splice(0).map((w) => w.context.close().catch(() => {})));
  }

  async #add(browser: ManagedBrowser): Promise<void> {
    const { timeouts, logger } = this.#deps;
    try {
      const context = await newContext(browser, this.#options.contextOptions(), timeouts.launchMs);
      const page = await withTimeout(
        context.newPage(),
        timeouts.launchMs,
        () => new Error('new page timed out'),
      );
      const opened = await this.#options.open?.(page).catch((error: unknown) => {
        logger.debug(
          { event: 'browser:warm:open:failed', err: error },
          'a warm page could not load its start page; the job will',
        );
        return undefined;
      });
      if (this.#closed || !this.#deps.isCurrent(browser)) await context.close().catch(() => {});
      else this.#pages.push({ browser, context, page, ...(opened ? { opened } : {}) });
    } catch (error) {
      logger.warn({ event: 'browser:warm:failed', err: error }, 'could not open a warm page');
    }
  }
}
