import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDisplay, type VirtualDisplay } from '../browser/virtualDisplay.ts';
import type { CapturingJobHandler, CreateJobHandler, JobHandler, JobHandlerContext } from '../job/handler.ts';
import type { CaptureConfig } from '../platforms/captureConfig.ts';
import { startCapture } from '../platforms/startCapture.ts';
import { UsageError } from '../usageError.ts';

/** `worker --headed`: the Xvfb to start when DISPLAY is unset. */
export interface HeadedConfig {
  xvfbPath: string;
}

/**
 * The job handler a worker runs: the module given to --handler, or else the built-in browser capture
 * (headed on a virtual display when `headed` is given). The command line wires it in, so that the worker
 * knows only the job contract (src/job/).
 */
export function jobHandlerFor(
  modulePath: string | undefined,
  browser: 'per-job' | 'shared',
  capture: CaptureConfig,
  headed?: HeadedConfig,
): CreateJobHandler {
  if (modulePath) return (context) => loadJobHandler(modulePath, context);
  return (context) =>
    startHeadedOrNot(context, browser, capture, headed).catch((error: Error) => {
      throw new UsageError(error.message, { cause: error });
    });
}

/**
 * The built-in capture; headed, its browsers share one display for the life of the process: DISPLAY, or an
 * Xvfb started here and stopped when the handler closes (at the worker's exit) or when the capture fails to
 * start.
 */
async function startHeadedOrNot(
  context: JobHandlerContext,
  browser: 'per-job' | 'shared',
  capture: CaptureConfig,
  headed: HeadedConfig | undefined,
): Promise<CapturingJobHandler> {
  if (!headed) return startCapture(context.aiSource, browser, capture, context.logger);
  const display = await openDisplay({ xvfbPath: headed.xvfbPath });
  context.logger.info(
    { event: 'display:open', display: display.name, xvfb_pid: display.pid },
    display.pid === undefined
      ? `headed Chromium on DISPLAY ${display.name}`
      : `headed Chromium on Xvfb ${display.name} (pid ${display.pid})`,
  );
  let handler: CapturingJobHandler;
  try {
    handler = await startCapture(context.aiSource, browser, capture, context.logger, display.name);
  } catch (error) {
    await closeDisplay(display, context);
    throw error;
  }
  return {
    run: (job) => handler.run(job),
    close: async () => {
      try {
        await handler.close?.();
      } finally {
        await closeDisplay(display, context);
      }
    },
  };
}

async function closeDisplay(display: VirtualDisplay, context: JobHandlerContext): Promise<void> {
  await display.close();
  if (display.pid !== undefined) {
    context.logger.info({ event: 'display:closed', display: display.name }, `Xvfb ${display.name} stopped`);
  }
}

/** Loads the job handler module given to --handler (a path, relative to the working directory). */
async function loadJobHandler(modulePath: string, context: JobHandlerContext): Promise<JobHandler> {
  const url = pathToFileURL(isAbsolute(modulePath) ? modulePath : resolve(modulePath)).href;
  let module: { createJobHandler?: CreateJobHandler };
  try {
    module = await import(url);
  } catch (error) {
    throw new UsageError(`cannot load the job handler module ${modulePath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof module.createJobHandler !== 'function') {
    throw new UsageError(`the job handler module ${modulePath} does not export a createJobHandler function`);
  }
  return module.createJobHandler(context);
}
