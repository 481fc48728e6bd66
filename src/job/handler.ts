import type { Logger } from 'pino';
import type { ClaimedRun } from './claimedRun.ts';
import type { CapturedAnswer, RunResult } from './result.ts';

export interface Job {
  run: ClaimedRun;
  /** Aborted when the lease is lost or the worker shuts down: stop, commit nothing. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Runs one claimed run (the prompt in; the answer out). Throw a JobError subclass (errors.ts) to say what
 * went wrong; the worker loop decides what that means for the run.
 *
 * A capturing handler (the built-in browser capture, and the default) returns what it captured, and the
 * worker's extractor finds the brand mentions and citations in it. A handler that extracts for itself says
 * so with `extracts: true` and returns the whole result, which is committed as it is.
 */
export type JobHandler = CapturingJobHandler | ExtractingJobHandler;

export interface CapturingJobHandler {
  readonly extracts?: false;
  run(job: Job): Promise<CapturedAnswer>;
  /** Releases what the handler holds (browsers); called once at shutdown. */
  close?(): Promise<void>;
}

export interface ExtractingJobHandler {
  readonly extracts: true;
  run(job: Job): Promise<RunResult>;
  /** Releases what the handler holds; called once at shutdown. */
  close?(): Promise<void>;
}

export interface JobHandlerContext {
  aiSource: string;
  workerId: number;
  logger: Logger;
}

/** A module given to `worker --handler <path>` exports this. */
export type CreateJobHandler = (context: JobHandlerContext) => JobHandler | Promise<JobHandler>;
