import type { Logger } from 'pino';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { BrowserCrashError } from '../job/errors.ts';
import { blockResources, type JobContextOptions, toPlaywrightOptions } from './contextOptions.ts';
import type { BrowserTimeouts, ManagedBrowser } from './managedBrowser.ts';
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

/** One job's browser context, from acquire to release (not the queue's lease on the run). */
export interface BrowserLease {
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
  acquire(contextOptions: () => JobContextOptions): Promise<BrowserLease>;
  close(): Promise<void>;
  /** Chromium processes this provider started and has not yet closed. */
  readonly liveBrowsers: number;
}

/** What warm pages are made with (shared mode). */
export interface WarmPageOptions {
  pages: number;
  contextOptions: () => JobContextOptions;
  /**
   * Loads the start page in a warm page while it waits, so a job starting with it skips the load. A
   * failure is left for the job to meet: the page is kept unloaded, and the job loads it itself.
   */
  open?: (page: Page) => Promise<OpenedPage>;
}

export interface ProviderOptions {
  executablePath: string;
  logger: Logger;
  timeouts?: BrowserTimeouts;
  /** An X display the browsers open their windows on (`worker --headed`); unset: headless. */
  display?: string | undefined;
  /** Shared mode: a browser is retired after this many jobs. */
  recycleAfterJobs?: number;
  /** Shared mode: a released context closes this much later (CONTEXT_CLOSE_DELAY_MS when unset). */
  contextCloseDelayMs?: number;
  /**
   * Shared mode: keep this many contexts with an open page ready, so a job does not start a renderer
   * while other jobs need the CPU; `contextOptions` gives each one's options when it is made.
   */
  warm?: WarmPageOptions;
}

export async function newContext(browser: ManagedBrowser, options: JobContextOptions, timeoutMs: number) {
  const context = await withTimeout(
    browser.browser.newContext(toPlaywrightOptions(options)),
    timeoutMs,
    () => new BrowserCrashError(`the browser did not open a context within ${timeoutMs} ms`),
  );
  await blockResources(context, options.block);
  return context;
}

/** Closes a job's context; one that does not close in time is left to its browser's close. */
export function closeContext(context: BrowserContext, timeoutMs: number): Promise<void> {
  return withTimeout(context.close(), timeoutMs, () => new Error('context close timed out')).catch(() => {});
}
