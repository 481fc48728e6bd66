import type { Logger } from 'pino';
import type { ClaimedRun } from '../queue/claimedRun.ts';
import type { RunResult } from '../queue/commitResult.ts';

export interface Job {
  run: ClaimedRun;
  /** Aborted when the lease is lost or the worker shuts down: stop, commit nothing. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Turns one claimed run into its result (prompt in; answer, mentions and citations out). Throw a JobError
 * subclass (jobErrors.ts) to say what went wrong; the worker loop decides what that means for the run.
 */
export interface JobHandler {
  run(job: Job): Promise<RunResult>;
  /** Releases what the handler holds (browsers); called once at shutdown. */
  close?(): Promise<void>;
}

export interface JobHandlerContext {
  aiSource: string;
  workerId: number;
  logger: Logger;
}

/** A module given to `worker --handler <path>` exports this. */
export type CreateJobHandler = (context: JobHandlerContext) => JobHandler | Promise<JobHandler>;
