import {
  type BrowserLease,
  type BrowserProvider,
  closeContext,
  newContext,
  type ProviderOptions,
} from './browserProvider.ts';
import type { JobContextOptions } from './contextOptions.ts';
import { DEFAULT_BROWSER_TIMEOUTS, ManagedBrowser } from './managedBrowser.ts';

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

  async acquire(contextOptions: () => JobContextOptions): Promise<BrowserLease> {
    const timeouts = this.#options.timeouts ?? DEFAULT_BROWSER_TIMEOUTS;
    const browser = await ManagedBrowser.launch(
      this.#options.executablePath,
      timeouts,
      this.#options.display,
    );
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
