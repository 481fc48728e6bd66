import type { BrowserContext } from 'playwright-core';
import {
  type BrowserLease,
  type BrowserProvider,
  closeContext,
  newContext,
  type ProviderOptions,
} from './browserProvider.ts';
import type { JobContextOptions } from './contextOptions.ts';
import { CONTEXT_CLOSE_DELAY_MS, DelayedCloser } from './delayedCloser.ts';
import { type BrowserTimeouts, DEFAULT_BROWSER_TIMEOUTS, ManagedBrowser } from './managedBrowser.ts';
import { WarmPagePool } from './warmPagePool.ts';

/** A shared browser and its counts: jobs it was given (for recycling), and contexts still out. */
interface BrowserEntry {
  browser: ManagedBrowser;
  jobs: number;
  active: number;
}

/**
 * `--browser shared`: one Chromium per process and a fresh context per job. The browser is retired after
 * `recycleAfterJobs` jobs, when it disconnects, or when a job reports it crashed; a retired browser closes
 * once its last context is released. Warm pages (WarmPagePool) and the delayed close of used contexts
 * (DelayedCloser) are parts of their own.
 */
export class SharedBrowser implements BrowserProvider {
  readonly #options: ProviderOptions;
  readonly #timeouts: BrowserTimeouts;
  readonly #warm: WarmPagePool | undefined;
  readonly #closer: DelayedCloser;
  #current: BrowserEntry | null = null;
  #starting: Promise<ManagedBrowser> | null = null;
  readonly #retiring = new Set<BrowserEntry>();

  /** `browser`: one already launched (the worker's start-up check), used as the first shared browser. */
  constructor(options: ProviderOptions, browser?: ManagedBrowser) {
    this.#options = options;
    this.#timeouts = options.timeouts ?? DEFAULT_BROWSER_TIMEOUTS;
    this.#closer = new DelayedCloser(
      options.contextCloseDelayMs ?? CONTEXT_CLOSE_DELAY_MS,
      this.#timeouts.closeMs,
    );
    if (options.warm && options.warm.pages > 0) {
      this.#warm = new WarmPagePool(options.warm, {
        timeouts: this.#timeouts,
        logger: options.logger,
        browser: async () => (await this.#browser()).browser,
        isCurrent: (candidate) => this.#current?.browser === candidate,
      });
    }
    if (browser) this.#current = { browser, jobs: 0, active: 0 };
  }

  get liveBrowsers(): number {
    return (this.#current ? 1 : 0) + this.#retiring.size;
  }

  /** Warm pages ready now. */
  get warmPages(): number {
    return this.#warm?.size ?? 0;
  }

  /** Opens the missing warm pages (`warm.pages`); a worker calls it at start, before its first claim. */
  async warmUp(): Promise<void> {
    await this.#warm?.fill();
  }

  async acquire(contextOptions: () => JobContextOptions): Promise<BrowserLease> {
    const entry = await this.#browser();
    entry.jobs += 1;
    entry.active += 1;
    const { browser } = entry;
    const warm = this.#warm?.take(browser);
    let context: BrowserContext;
    try {
      context = warm?.context ?? (await newContext(browser, contextOptions(), this.#timeouts.launchMs));
    } catch (error) {
      await this.#done(entry, true);
      throw error;
    }
    return {
      context,
      ...(warm ? { page: warm.page } : {}),
      ...(warm?.opened ? { opened: warm.opened } : {}),
      release: async (crashed) => {
        if (crashed) await closeContext(context, this.#timeouts.closeMs);
        else this.#closer.closeLater(context);
        await this.#done(entry, crashed);
      },
    };
  }

  async #browser(): Promise<BrowserEntry> {
    const recycleAfter = this.#options.recycleAfterJobs ?? 100;
    if (this.#current && (!this.#current.browser.connected || this.#current.jobs >= recycleAfter)) {
      this.#retire(this.#current);
    }
    if (!this.#current) {
      this.#starting ??= ManagedBrowser.launch(
        this.#options.executablePath,
        this.#timeouts,
        this.#options.display,
      ).finally(() => {
        this.#starting = null;
      });
      const browser = await this.#starting;
      this.#current ??= { browser, jobs: 0, active: 0 };
      if (this.#current.browser !== browser) await browser.close();
    }
    return this.#current;
  }

  #retire(entry: BrowserEntry): void {
    if (this.#current === entry) this.#current = null;
    void this.#warm?.drop(entry.browser);
    this.#options.logger.debug(
      { event: 'browser:retire', pid: entry.browser.pid },
      'retiring the shared browser',
    );
    if (entry.active === 0) void entry.browser.close();
    else this.#retiring.add(entry);
  }

  async #done(entry: BrowserEntry, crashed: boolean): Promise<void> {
    entry.active -= 1;
    if (crashed && this.#current === entry) this.#retire(entry);
    if (this.#retiring.has(entry) && entry.active <= 0) {
      this.#retiring.delete(entry);
      await entry.browser.close();
    }
  }

  async close(): Promise<void> {
    await this.#warm?.close();
    await this.#closer.closeAll();
    const browsers = [...this.#retiring].map((entry) => entry.browser);
    if (this.#current) browsers.push(this.#current.browser);
    this.#current = null;
    this.#retiring.clear();
    await Promise.all(browsers.map((browser) => browser.close()));
  }
}
