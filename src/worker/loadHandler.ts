import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../usageError.ts';
import type { CreateJobHandler, JobHandler, JobHandlerContext } from './jobHandler.ts';

/** Loads the job handler module given to --handler (a path, relative to the working directory). */
export async function loadJobHandler(
  modulePath: string | undefined,
  context: JobHandlerContext,
): Promise<JobHandler> {
  if (!modulePath) {
    throw new UsageError(
      'no job handler: pass --handler <module> (or JOB_HANDLER), a module exporting createJobHandler(context)',
    );
  }
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
