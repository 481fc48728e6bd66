import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CreateJobHandler, JobHandler, JobHandlerContext } from '../job/handler.ts';
import type { CaptureConfig } from '../platforms/captureConfig.ts';
import { startCapture } from '../platforms/startCapture.ts';
import { UsageError } from '../usageError.ts';

/**
 * The job handler a worker runs: the module given to --handler, or else the built-in browser capture. The
 * command line wires it in, so that the worker knows only the job contract (src/job/).
 */
export function jobHandlerFor(
  modulePath: string | undefined,
  browser: 'per-job' | 'shared',
  capture: CaptureConfig,
): CreateJobHandler {
  if (modulePath) return (context) => loadJobHandler(modulePath, context);
  return (context) =>
    startCapture(context.aiSource, browser, capture, context.logger).catch((error: Error) => {
      throw new UsageError(error.message, { cause: error });
    });
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
