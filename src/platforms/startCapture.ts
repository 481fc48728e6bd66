import type { Logger } from 'pino';
import type { Page } from 'playwright-core';
import type { BrowserProvider } from '../browser/browserProvider.ts';
import { type JobContextOptions, parseProxy } from '../browser/contextOptions.ts';
import { findChromium } from '../browser/findChromium.ts';
import { ManagedBrowser } from '../browser/managedBrowser.ts';
import { PerJobBrowsers } from '../browser/perJobBrowsers.ts';
import { waitForIdleProcessTree } from '../browser/processIdle.ts';
import { SharedBrowser } from '../browser/sharedBrowser.ts';
import type { CapturingJobHandler } from '../job/handler.ts';
import { openStartPage } from './capture.ts';
import type { CaptureConfig } from './captureConfig.ts';
import { createCaptureJob } from './captureJob.ts';
import { DEFAULT_CAPTURE_TIMEOUTS } from './captureTimeouts.ts';
import { baseUrlFromEnv, loadSelectors, startUrl } from './selectors.ts';

/**
 * Starts the built-in browser capture for one source: finds Chromium, checks it starts, loads the
 * adapter's selectors, sets up the browser mode (warm pages when shared) and rotates proxies per job. Throws
 * (BrowserNotFoundError, BrowserLaunchError, SelectorFileError) at start rather than failing every job later.
 * `display`: the X display for headed browsers (`worker --headed`); unset: headless.
 */
export async function startCapture(
  aiSource: string,
  mode: 'per-job' | 'shared',
  config: CaptureConfig,
  logger: Logger,
  display?: string,
): Promise<CapturingJobHandler> {
  const selectors = loadSelectors(aiSource);
  const chromium = await findChromium();
  const probe = await ManagedBrowser.launch(chromium.executablePath, undefined, display);
  logger.info(
    {
      event: 'browser:found',
      path: chromium.executablePath,
      origin: chromium.origin,
      version: probe.browser.version(),
    },
    `Chromium ${probe.browser.version()} (${chromium.executablePath})`,
  );

  const proxies = config.proxies.map(parseProxy);
  let nextProxy = 0;
  const contextOptions = (): JobContextOptions => {
    const proxy = proxies.length > 0 ? proxies[nextProxy++ % proxies.length] : undefined;
    return {
      storageStatePath: config.storageState,
      proxy,
      locale: config.locale,
      timezoneId: config.timezone,
      geolocation: config.geolocation,
      block: config.blockResources,
    };
  };
  const providerOptions = {
    executablePath: chromium.executablePath,
    logger,
    display,
    recycleAfterJobs: config.recycleAfterJobs,
  };
  const baseUrl = config.baseUrl ?? baseUrlFromEnv(aiSource);
  const timeouts = {
    ...DEFAULT_CAPTURE_TIMEOUTS,
    answerMs: config.answerTimeoutSeconds * 1000,
    stableMs: config.stableMs,
  };
  let provider: BrowserProvider;
  if (mode === 'shared') {
    // A start page that does not carry the prompt can be loaded before the job, while the page waits.
    const start = selectors.startPath.includes('{prompt}') ? null : startUrl(selectors, '', baseUrl);
    // The start-up check's browser becomes the shared one: no second launch.
    const shared = new SharedBrowser(
      {
        ...providerOptions,
        warm: {
          pages: config.warmPages,
          contextOptions,
          ...(start
            ? {
                open: async (page: Page) => {
                  const opened = await openStartPage(page, start, timeouts.navigationMs, 'load');
                  // Playwright sets up its selector engine in a page on the first locator call; do that
                  // now, while the page waits, rather than in the job.
                  await page.locator(':root').count();
                  return opened;
                },
              }
            : {}),
        },
      },
      probe,
    );
    await shared.warmUp();
    // A new page's renderer keeps working for a second or two after it opens: let the warm pages finish
    // starting before the first claim, so the first jobs do not queue behind them.
    const settledMs = probe.pid === undefined ? 0 : await waitForIdleProcessTree(probe.pid);
    logger.debug(
      { event: 'browser:warm', pages: shared.warmPages, settled_ms: settledMs },
      'warm pages ready',
    );
    provider = shared;
  } else {
    await probe.close();
    provider = new PerJobBrowsers(providerOptions);
  }
  return createCaptureJob({
    provider,
    selectors,
    baseUrl,
    timeouts,
    contextOptions,
    artifactsDir: config.artifactsDir,
    traceOnFailure: config.traceOnFailure,
  });
}
