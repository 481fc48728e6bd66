import type { Logger } from 'pino';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { BrowserCrashError } from '../job/errors.ts';
import { blockResources, type JobContextOptions, toPlaywrightOptions } from './contextOptions.ts';
import { type BrowserTimeouts, DEFAULT_BROWSER_TIMEOUTS, ManagedBrowser } from './managedBrowser.ts';
import { withTimeout } from './withTimeout.ts';

/** A warm page's start page, loaded before a job took the page. */
export interface OpenedPage {
  /** The URL it was asked to load, and where the page was once loaded (after redirects). */
  url: string;
  loadedUrl: string;
  /** The document's response (its status is checked by the job, as if the job had loaded it). */
  response: Response | null;
  /** Date.now() when it was loaded. */
  at: number;
}

export interface Lease {
  context: BrowserContext;
  /** A page already open in `context` (a warm page), or undefined: open one. */
  page?: Page;
  /** What `page` already loaded, when the warm page was opened with `warm.open`. */
  opened?: OpenedPage;
  /** Closes the context (and, per job, the browser). `crashed`: the browser is not to be used again. */
  release(crashed: boolean): Promise<void>;
}

/** Hands out a fresh browser context per job; `close` leaves no Chromium process behind. */
export interface BrowserProvider {
  /**
   * `contextOptions` is called only when a context is made for this job (a warm page already has one), so
   * a proxy rotated per call is rotated per context, and no rotation step is skipped.
   */
  acquire(contextOptions: () => JobContextOptions): Promise<Lease>;
  close(): Promise<void>;
  /** Chromium processes this provider started and has not yet closed. */
  readonly liveBrowsers: number;
}

export interface ProviderOptions {
  executablePath: string;
  logger: Logger;
  timeouts?: BrowserTimeouts;
  /** Shared mode: a browser is retired after this many jobs. */
  recycleAfterJobs?: number;
  /** Shared mode: a released context closes this much later (CONTEXT_CLOSE_DELAY_MS when unset). */
  contextCloseDelayMs?: number;
  /**
   * Shared mode: keep this many contexts with an open page ready, so a job does not start a renderer
   * while other jobs need the CPU; `contextOptions` gives each one's options when it is made.
   */
  warm?: {
    pages: number;
    contextOptions: () => JobContextOptions;
    /**
     * Loads the start page in a warm page while it waits, so a job starting with it skips the load. A
     * failure is left for the job to meet: the page is kept unloaded, and the job loads it itself.
     */
    open?: (page: Page) => Promise<OpenedPage>;
  };
}

/** After a warm page is taken, its replacement waits this long, so it does not slow the job that took it. */
const WARM_REFILL_DELAY_MS = 3_000;
/**
 * A finished job's context closes this much later, one at a time: tearing down its renderer costs CPU,
 * and jobs that end together would otherwise pay it just when the next jobs are submitting their prompts.
 */
export const CONTEXT_CLOSE_DELAY_MS = 3_000;

async function newContext(browser: ManagedBrowser, options: JobContextOptions, timeoutMs: number) {
  const context = await withTimeout(
    browser.browser.newContext(toPlaywrightOptions(options)),
    timeoutMs,
    () => new BrowserCrashError(`the browser did not open a context within ${timeoutMs} ms`),
  );
  await blockResources(context, options.block);
  return context;
}

/** Closes a job's context; one that does not close in time is left to its browser's close. */
function closeContext(context: BrowserContext, timeoutMs: number): Promise<void> {
  return withTimeout(context.close(), timeoutMs, () => new Error('context close timed out')).catch(() => {});
}

/** `--browser per-job`: a fresh Chromium for every job, closed (or killed) after it. */
export class PerJobBrowsers implements BrowserProvider {
  readonly #options: ProviderOptions;
  readonly #live = new Set<ManagedBrowser>();

  constructor(options: ProviderOptions) {
    this.#options = options;
  }

  get liveBrowsers(): number {
    return this.#live.size;
  }

  async acquire(contextOptions: () => JobContextOptions): Promise<Lease> {
    const timeouts = this.#options.timeouts ?? DEFAULT_BROWSER_TIMEOUTS;
    const browser = await ManagedBrowser.launch(this.#options.executablePath, timeouts);
    this.#live.add(browser);
    try {
      const context = await newContext(browser, contextOptions(), timeouts.launchMs);
      return {
        context,
        release: async () => {
          await closeContext(context, timeouts.closeMs);
          await browser.close();
          this.#live.delete(browser);
        },
      };
    } catch (error) {
      await browser.kill();
      this.#live.delete(browser);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#live].map((browser) => browser.kill()));
    this.#live.clear();
  }
}

interface WarmPage {
  browser: ManagedBrowser;
  context: BrowserContext;
  page: Page;
  opened?: OpenedPage;
}

/**
 * `--browser shared`: one Chromium per process and a fresh context per job. The browser is retired after
 * `recycleAfterJobs` jobs, when it disconnects, or when a job reports it crashed; a retired browser closes
 * once its last context is released.
 */
export class SharedBrowser implements BrowserProvider {
  readonly #options: ProviderOptions;
  readonly #timeouts: BrowserTimeouts;
  #current: { browser: ManagedBrowser; jobs: number; active: number } | null = null;
  readonly #warm: WarmPage[] = [];
  #warming = false;
  #refill: NodeJS.Timeout | undefined;
  readonly #toClose: { context: BrowserContext; due: number }[] = [];
  #closing = false;
  #closed = false;
  #starting: Promise<ManagedBrowser> | null = null;
  readonly #retiring = new Map<ManagedBrowser, number>();

  /** `browser`: one already launched (the worker's start-up check), used as the first shared browser. */
  constructor(options: ProviderOptions, browser?: ManagedBrowser) {
    this.#options = options;
    this.#timeouts = options.timeouts ?? DEFAULT_BROWSER_TIMEOUTS;
    if (browser) this.#current = { browser, jobs: 0, active: 0 };
  }

  get liveBrowsers(): number {
    return (this.#current ? 1 : 0) + this.#retiring.size;
  }

  /** Warm pages ready now. */
  get warmPages(): number {
    return this.#warm.length;
  }

  /**
   * Opens the missing warm pages (`warm.pages`); a worker calls it at start, before its first claim, and it
   * runs again a little after pages are taken. One page at a time: a new page starts a renderer, which costs
   * Chromium most of a second of CPU, and a burst of them would slow every job running meanwhile.
   */
  async warmUp(): Promise<void> {
    if (this.#warming) return;
    this.#warming = true;
    const want = this.#options.warm?.pages ?? 0;
    try {
      // Bounded, so a page that cannot open is not retried in a tight loop; the next take starts it again.
      for (let tries = want; tries > 0; tries -= 1) {
        if (this.#closed || this.#warm.length >= want) break;
        await this.#addWarmPage(await this.#browser());
      }
    } finally {
      this.#warming = false;
    }
  }

  async acquire(contextOptions: () => JobContextOptions): Promise<Lease> {
    const entry = await this.#browser();
    entry.jobs += 1;
    entry.active += 1;
    const { browser } = entry;
    const warm = this.#takeWarmPage(browser);
    let context: BrowserContext;
    try {
      context = warm?.context ?? (await newContext(browser, contextOptions(), this.#timeouts.launchMs));
    } catch (error) {
      this.#done(entry, true);
      throw error;
    }
    return {
      context,
      ...(warm ? { page: warm.page } : {}),
      ...(warm?.opened ? { opened: warm.opened } : {}),
      release: async (crashed) => {
        if (crashed) await closeContext(context, this.#timeouts.closeMs);
        else this.#closeLater(context);
        await this.#done(entry, crashed);
      },
    };
  }

  /** Closes `context` the close delay from now, or later if others are still closing. */
  #closeLater(context: BrowserContext): void {
    const delay = this.#options.contextCloseDelayMs ?? CONTEXT_CLOSE_DELAY_MS;
    this.#toClose.push({ context, due: Date.now() + delay });
    if (this.#closing) return;
    this.#closing = true;
    void this.#closeDue();
  }

  async #closeDue(): Promise<void> {
    for (let next = this.#toClose[0]; next; next = this.#toClose[0]) {
      const wait = next.due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      // close() may have taken the queue meanwhile
      if (this.#toClose[0] !== next) continue;
      this.#toClose.shift();
      await closeContext(next.context, this.#timeouts.closeMs);
    }
    this.#closing = false;
  }

  /** A warm page of `browser`, if one is ready; its replacement is made a little later. */
  #takeWarmPage(browser: ManagedBrowser): WarmPage | undefined {
    if (!this.#options.warm?.pages) return undefined;
    const index = this.#warm.findIndex((w) => w.browser === browser && !w.page.isClosed());
    const warm = index >= 0 ? this.#warm.splice(index, 1)[0] : undefined;
    if (!this.#refill) {
      this.#refill = setTimeout(() => {
        this.#refill = undefined;
        if (!this.#closed) void this.warmUp().catch(() => {});
      }, WARM_REFILL_DELAY_MS);
      this.#refill.unref();
    }
    return warm;
  }

  async #addWarmPage(entry: { browser: ManagedBrowser }): Promise<void> {
    const warm = this.#options.warm;
    if (!warm) return;
    try {
      const context = await newContext(entry.browser, warm.contextOptions(), this.#timeouts.launchMs);
      const page = await withTimeout(
        context.newPage(),
        this.#timeouts.launchMs,
        () => new Error('new page timed out'),
      );
      const opened = await warm.open?.(page).catch((error: unknown) => {
        this.#options.logger.debug(
          { event: 'browser:warm:open:failed', err: error },
          'a warm page could not load its start page; the job will',
        );
        return undefined;
      });
      if (this.#closed || this.#current?.browser !== entry.browser) await context.close().catch(() => {});
      else this.#warm.push({ browser: entry.browser, context, page, ...(opened ? { opened } : {}) });
    } catch (error) {
      this.#options.logger.warn({ event: 'browser:warm:failed', err: error }, 'could not open a warm page');
    }
  }

  /** Closes the warm pages of a browser that is going away (all of them when `browser` is omitted). */
  async #dropWarmPages(browser?: ManagedBrowser): Promise<void> {
    const dropped = this.#warm.filter((w) => !browser || w.browser === browser);
    for (const w of dropped) this.#warm.splice(this.#warm.indexOf(w), 1);
    await Promise.all(dropped.map((w) => w.context.close().catch(() => {})));
  }

  async #browser() {
    const recycleAfter = this.#options.recycleAfterJobs ?? 100;
    if (this.#current && (!this.#current.browser.connected || this.#current.jobs >= recycleAfter)) {
      this.#retire(this.#current);
    }
    if (!this.#current) {
      this.#starting ??= ManagedBrowser.launch(this.#options.executablePath, this.#timeouts).finally(() => {
        this.#starting = null;
      });
      const browser = await this.#starting;
      this.#current ??= { browser, jobs: 0, active: 0 };
      if (this.#current.browser !== browser) await browser.close();
    }
    return this.#current;
  }

  #retire(entry: { browser: ManagedBrowser; active: number }) {
    if (this.#current?.browser === entry.browser) this.#current = null;
    void this.#dropWarmPages(entry.browser);
    this.#options.logger.debug(
      { event: 'browser:retire', pid: entry.browser.pid },
      'retiring the shared browser',
    );
    if (entry.active === 0) void entry.browser.close();
    else this.#retiring.set(entry.browser, entry.active);
  }

  async #done(entry: { browser: ManagedBrowser; jobs: number; active: number }, crashed: boolean) {
    entry.active -= 1;
    if (crashed && this.#current?.browser === entry.browser) this.#retire(entry);
    const retiring = this.#retiring.get(entry.browser);
    if (retiring !== undefined) {
      if (entry.active <= 0) {
        this.#retiring.delete(entry.browser);
        await entry.browser.close();
      } else {
        this.#retiring.set(entry.browser, entry.active);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refill);
    this.#refill = undefined;
    await Promise.all(
      this.#toClose.splice(0).map(({ context }) => closeContext(context, this.#timeouts.closeMs)),
    );
    await this.#dropWarmPages();
    const browsers = [...this.#retiring.keys()];
    if (this.#current) browsers.push(this.#current.browser);
    this.#current = null;
    this.#retiring.clear();
    await Promise.all(browsers.map((browser) => browser.close()));
  }
}
