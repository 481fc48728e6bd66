import { type Browser, type BrowserServer, chromium } from 'playwright-core';
import { BrowserCrashError } from '../job/errors.ts';
import { CHROMIUM_ARGS, HEADED_CHROMIUM_ARGS } from './launchFlags.ts';
import { withTimeout } from './withTimeout.ts';

export interface BrowserTimeouts {
  launchMs: number;
  closeMs: number;
}

export const DEFAULT_BROWSER_TIMEOUTS: BrowserTimeouts = { launchMs: 30_000, closeMs: 5_000 };

/** Chromium would not start: names the executable and what to do. */
export class BrowserLaunchError extends BrowserCrashError {
  override name = 'BrowserLaunchError';
}

/**
 * One Chromium process we own: launched as a server so that it can always be killed with its whole process
 * tree, then connected to. `close` is graceful with a kill as backup; `kill` is immediate.
 */
export class ManagedBrowser {
  readonly browser: Browser;
  readonly #server: BrowserServer;
  readonly #timeouts: BrowserTimeouts;
  #closed = false;

  private constructor(server: BrowserServer, browser: Browser, timeouts: BrowserTimeouts) {
    this.#server = server;
    this.browser = browser;
    this.#timeouts = timeouts;
  }

  /** `display`: an X display (e.g. `:3`) to open a window on, headed; unset: headless. */
  static async launch(
    executablePath: string,
    timeouts = DEFAULT_BROWSER_TIMEOUTS,
    display?: string,
  ): Promise<ManagedBrowser> {
    let server: BrowserServer | undefined;
    try {
      server = await chromium.launchServer({
        executablePath,
        ...(display === undefined
          ? { args: CHROMIUM_ARGS }
          : // Given to Chromium alone: the worker's own environment stays as it is.
            { args: HEADED_CHROMIUM_ARGS, headless: false, env: { ...process.env, DISPLAY: display } }),
        timeout: timeouts.launchMs,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      const browser = await withTimeout(
        chromium.connect(server.wsEndpoint(), { timeout: timeouts.launchMs }),
        timeouts.launchMs,
        () =>
          new BrowserLaunchError(
            `could not connect to Chromium (${executablePath}) within ${timeouts.launchMs} ms`,
          ),
      );
      return new ManagedBrowser(server, browser, timeouts);
    } catch (error) {
      await server?.kill().catch(() => {});
      if (error instanceof BrowserLaunchError) throw error;
      throw new BrowserLaunchError(
        `could not start Chromium at ${executablePath}: ${(error as Error).message.split('\n')[0]}; ` +
          "check it runs ('" +
          executablePath +
          " --version'), or install one with 'apt-get install -y chromium'",
        { cause: error },
      );
    }
  }

  get connected(): boolean {
    return !this.#closed && this.browser.isConnected();
  }

  get pid(): number | undefined {
    return this.#server.process().pid;
  }

  /** Graceful close; the process tree is killed if it has not gone within the close timeout. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await withTimeout(
        (async () => {
          await this.browser.close();
          await this.#server.close();
        })(),
        this.#timeouts.closeMs,
        () => new Error('browser close timed out'),
      );
    } catch {
      await this.#server.kill().catch(() => {});
    }
  }

  async kill(): Promise<void> {
    this.#closed = true;
    await this.#server.kill().catch(() => {});
  }
}
