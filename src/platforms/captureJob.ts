import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { saveFailureArtifacts } from '../browser/artifacts.ts';
import type { BrowserLease, BrowserProvider } from '../browser/browserProvider.ts';
import type { JobContextOptions } from '../browser/contextOptions.ts';
import { attachArtifacts, BrowserCrashError, JobError } from '../job/errors.ts';
import type { CapturingJobHandler, Job } from '../job/handler.ts';
import type { CapturedAnswer } from '../job/result.ts';
import { type Capture, capturePrompt } from './capture.ts';
import type { CaptureTimeouts } from './captureTimeouts.ts';
import type { PlatformSelectors } from './selectors.ts';

export interface CaptureJobOptions {
  provider: BrowserProvider;
  selectors: PlatformSelectors;
  baseUrl: string | undefined;
  timeouts: CaptureTimeouts;
  /** The browser context for the next job (the proxy rotates per job). */
  contextOptions: () => JobContextOptions;
  /** Failure artifacts go to <artifactsDir>/<run_id>/<attempt>/. */
  artifactsDir: string;
  traceOnFailure: boolean;
}

/** What the page showed, as the worker's extractor takes it. */
export function toCapturedAnswer(capture: Capture, durationMs: number): CapturedAnswer {
  return {
    response: {
      answerText: capture.answerText,
      answerHtml: capture.answerHtml,
      model: capture.model,
      captureMode: 'ui',
      durationMs,
    },
    citations: capture.citations.map(({ url, title }) => ({ url, title })),
  };
}

/** Browser errors that mean the browser itself is gone (a crash, a killed process). */
function browserGone(error: unknown, context: BrowserContext | null): boolean {
  if (error instanceof BrowserCrashError) return true;
  const message = error instanceof Error ? error.message : '';
  return (
    /Target (page, context or browser )?(has been )?closed|Browser has been closed|browser has disconnected/i.test(
      message,
    ) && !(context?.browser()?.isConnected() ?? false)
  );
}

/**
 * One job's capture: takes a browser context from the provider, asks the prompt in the platform's web UI,
 * and returns what the page showed; on failure, saves the page as artifacts and says whether the browser
 * itself is gone.
 */
export function createCaptureJob(options: CaptureJobOptions): CapturingJobHandler {
  return {
    async run(job: Job): Promise<CapturedAnswer> {
      const started = performance.now();
      let lease: BrowserLease | null = null;
      let page: Page | null = null;
      let crashed = false;
      const closeOnAbort = () => {
        void lease?.context.close().catch(() => {});
      };
      try {
        lease = await options.provider.acquire(options.contextOptions);
        job.signal.addEventListener('abort', closeOnAbort, { once: true });
        if (options.traceOnFailure) await lease.context.tracing.start({ screenshots: true, snapshots: true });
        page = lease.page ?? (await lease.context.newPage());
        const capture = await capturePrompt(page, options.selectors, job.run.promptText, {
          baseUrl: options.baseUrl,
          timeouts: options.timeouts,
          signal: job.signal,
          opened: lease.opened,
        });
        return toCapturedAnswer(capture, Math.round(performance.now() - started));
      } catch (error) {
        if (job.signal.aborted) throw error;
        crashed = browserGone(error, lease?.context ?? null);
        const failure =
          crashed && !(error instanceof JobError)
            ? new BrowserCrashError(`the browser went away: ${(error as Error).message}`, { cause: error })
            : error;
        const dir = join(options.artifactsDir, job.run.runId, String(job.run.attempt));
        const saved = await saveFailureArtifacts(
          dir,
          page,
          lease?.context ?? null,
          options.traceOnFailure,
        ).catch(() => null);
        throw saved ? attachArtifacts(failure, saved) : failure;
      } finally {
        job.signal.removeEventListener('abort', closeOnAbort);
        await lease?.release(crashed);
      }
    },
    close: () => options.provider.close(),
  };
}
