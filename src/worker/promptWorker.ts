import type { Logger } from 'pino';
import { isConnectionLost, retryAfterLostConnection } from '../db/connectWithRetry.ts';
import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from '../job/claimedRun.ts';
import { classifyError } from '../job/errors.ts';
import type { ExtractingJobHandler } from '../job/handler.ts';
import type { RunResult } from '../job/result.ts';
import type { ErrorContext } from '../observe/errorTracking.ts';
import { LeaseLostError } from '../queue/errors.ts';
import { QueueClient } from '../queue/queueClient.ts';
import { planFailure } from './failurePolicy.ts';
import { keepLease, type LeaseKeeper } from './leaseKeeper.ts';
import { WakeSignal } from './wakeSignal.ts';

export interface PromptWorkerOptions {
  /** Every queue operation goes through it (QueueClient). */
  pool: Queryable;
  /** Makes each run's result: a capture with the extraction step added (withExtraction), or a handler that extracts. */
  handler: ExtractingJobHandler;
  logger: Logger;
  aiSource: string;
  workerId: number;
  /** `host:pid:nonce`: makes locked_by unique per process. */
  workerTag: string;
  concurrency: number;
  /** Lease length per claim; the source's lease_seconds when undefined. */
  leaseSeconds: number | undefined;
  /** The lease length to renew to when leaseSeconds is undefined (read from ai_sources at start). */
  sourceLeaseSeconds: number;
  /** Fallback poll when no NOTIFY arrives (delayed retries, expired leases, a lost LISTEN). */
  pollIntervalMs: number;
  /** Exit once nothing is eligible. */
  once: boolean;
  /** Stop claiming after this many jobs (all slots together). */
  maxJobs: number | undefined;
  onJobFinished?: (outcome: JobOutcome) => void;
  /** An error nothing classified (not a typed job failure, not a lost connection): for error tracking. */
  onUnexpectedError?: (error: unknown, context: ErrorContext) => void;
}

export interface JobOutcome {
  run: ClaimedRun;
  outcome: 'done' | 'retry' | 'dead' | 'released' | 'lease_lost';
  errorKind?: string;
  durationMs: number;
}

/** Why a job's signal was aborted by the worker itself. */
class ShutdownAbort extends Error {
  override name = 'ShutdownAbort';
}

/** A job while it runs: what ends it must stop its lease keeper and say how it ended. */
interface RunningJob {
  run: ClaimedRun;
  controller: AbortController;
  lease: LeaseKeeper;
  logger: Logger;
  startedAt: number;
}

/**
 * The claim loop of one worker process: `concurrency` slots, each claiming a run of one source, running the
 * job handler under a renewed lease, and committing the result or recording the failure. Slots that claim,
 * commit or fail at the same moment share one statement (QueueClient).
 */
export class PromptWorker {
  readonly #options: PromptWorkerOptions;
  readonly #queue: QueueClient;
  readonly #wake = new WakeSignal();
  readonly #inFlight = new Map<string, AbortController>();
  #claiming = true;
  #started = 0;
  #slots: Promise<void>[] = [];

  constructor(options: PromptWorkerOptions) {
    this.#options = options;
    this.#queue = new QueueClient(options.pool, {
      workerId: options.workerId,
      aiSource: options.aiSource,
      leaseSeconds: options.leaseSeconds,
      workerTag: options.workerTag,
    });
  }

  /** Starts the slots; resolves when they have all stopped (drained with --once, --max-jobs, or stop()). */
  run(): Promise<void> {
    this.#slots = Array.from({ length: this.#options.concurrency }, (_, slot) => this.#runSlot(slot));
    return Promise.all(this.#slots).then(() => {});
  }

  /** New work may be waiting (a NOTIFY for this source, a reconnected LISTEN). */
  wake(): void {
    this.#wake.fire();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Graceful shutdown: stop claiming; give in-flight jobs `graceMs` to finish; then abort the rest, which
   * releases their runs (attempt not charged). Resolves when every slot has stopped.
   */
  async stop(graceMs: number): Promise<void> {
    this.#claiming = false;
    this.#wake.fire();
    const all = Promise.all(this.#slots);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => {
      timer = setTimeout(() => resolve('grace_over'), graceMs);
    });
    const first = await Promise.race([all.then(() => 'drained' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'grace_over') this.abortAll();
    await all;
  }

  /** Aborts every in-flight job now; their runs are released. */
  abortAll(): void {
    this.#claiming = false;
    this.#wake.fire();
    for (const controller of this.#inFlight.values())
      controller.abort(new ShutdownAbort('worker shutting down'));
  }

  async #runSlot(slot: number): Promise<void> {
    const { logger, maxJobs } = this.#options;
    // The last job's result, while it commits: the slot claims its next run meanwhile (a round trip less
    // per job). A failure is recorded before the next claim, since it may pause the source.
    let committing: Promise<void> | null = null;
    while (this.#claiming) {
      if (maxJobs !== undefined && this.#started >= maxJobs) break;
      // Count the job before claiming, so that slots claiming at once never go past --max-jobs.
      this.#started += 1;
      let run: ClaimedRun | null;
      try {
        // Arm before claiming so a NOTIFY that lands during the claim is not lost.
        this.#wake.arm(slot);
        run = await this.#queue.claim();
      } catch (error) {
        this.#started -= 1;
        if (isConnectionLost(error)) {
          logWaiting(logger, 'claim a run', error, this.#options.pollIntervalMs);
        } else {
          logger.error(
            { event: 'claim:failed', err: error },
            'claim failed; retrying after the poll interval',
          );
          this.#options.onUnexpectedError?.(error, { step: 'claim a run' });
        }
        await this.#wake.wait(slot, this.#options.pollIntervalMs);
        continue;
      }
      if (!run) {
        this.#started -= 1;
        if (committing) {
          // Its lease may be the one max_concurrency was short of: claim again once it is released.
          await committing;
          committing = null;
          continue;
        }
        if (this.#options.once && this.#inFlight.size === 0) break;
        await this.#wake.wait(slot, this.#options.once ? 50 : this.#options.pollIntervalMs);
        continue;
      }
      await committing;
      committing = (await this.#runJob(run))?.committed ?? null;
    }
    await committing;
    this.#wake.disarm(slot);
  }

  /**
   * Runs the handler under a renewed lease. Resolves once the handler is done: to the commit of its result,
   * which the slot holds while it claims its next run, or to null when the job ended otherwise (its failure
   * recorded, or the run released).
   */
  async #runJob(run: ClaimedRun): Promise<{ committed: Promise<void> } | null> {
    const controller = new AbortController();
    this.#inFlight.set(run.runId, controller);
    const logger = this.#options.logger.child({ run_id: run.runId, attempt: run.attempt });
    const job: RunningJob = {
      run,
      controller,
      logger,
      startedAt: performance.now(),
      lease: keepLease(
        this.#queue,
        run,
        this.#options.leaseSeconds ?? this.#options.sourceLeaseSeconds,
        (lost) => controller.abort(lost),
        logger,
      ),
    };
    logger.debug({ event: 'job:start' }, 'job started');
    let result: RunResult;
    try {
      result = await abortable(
        this.#options.handler.run({ run, signal: controller.signal, logger }),
        controller.signal,
      );
    } catch (error) {
      await this.#endFailed(job, error);
      return null;
    }
    // Wrapped: a promise returned as it is would be awaited with this one.
    return { committed: this.#commit(job, result) };
  }

  /** Commits the result and marks the run done; never rejects (a failed commit is recorded as the job's failure). */
  async #commit(job: RunningJob, result: RunResult): Promise<void> {
    try {
      await this.#retryWrite(job, 'commit the result', () => this.#queue.commit(job.run, result));
      this.#end(job, 'done');
    } catch (error) {
      await this.#endFailed(job, error);
    }
  }

  /** Ends a job that threw: lease lost, released at shutdown, or its failure recorded (retry or dead). */
  async #endFailed(job: RunningJob, error: unknown): Promise<void> {
    const { run, controller, logger } = job;
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof LeaseLostError || error instanceof LeaseLostError) {
      this.#end(job, 'lease_lost');
    } else if (reason instanceof ShutdownAbort) {
      await this.#queue.release(run).catch((releaseError: unknown) => {
        logger.error({ event: 'job:release:failed', err: releaseError }, 'could not release the run');
        this.#reportUnexpected(releaseError, 'release the run', run);
      });
      this.#end(job, 'released');
    } else {
      const classified = classifyError(error);
      if (classified.kind === 'unknown') this.#reportUnexpected(error, 'run the job', run);
      try {
        const failure = planFailure(run, classified);
        const status = await this.#retryWrite(job, 'record the failure', () =>
          this.#queue.fail(run, failure),
        );
        this.#end(job, status === 'dead' ? 'dead' : 'retry', classified.kind, classified.message);
      } catch (recordError) {
        if (recordError instanceof LeaseLostError) {
          this.#end(job, 'lease_lost', classified.kind, classified.message);
        } else {
          // The lease will expire and another claim will take the run back: nothing is lost.
          logger.error({ event: 'job:fail:record:failed', err: recordError }, 'could not record the failure');
          this.#reportUnexpected(recordError, 'record the failure', run);
          this.#endQuietly(job);
        }
      }
    }
  }

  /**
   * A lease-checked write (the commit, a failure record), tried again after a lost connection for up to one
   * lease length: the capture is kept rather than run again. A lapsed lease does not refuse it; only another
   * claim of the run does (its token is then gone). Repeating is safe: a try that did land before its
   * connection went spent the token, so a repeat is refused (LeaseLostError), never written twice.
   */
  #retryWrite<T>(job: RunningJob, step: string, write: () => Promise<T>): Promise<T> {
    return retryAfterLostConnection(
      write,
      this.#options.leaseSeconds ?? this.#options.sourceLeaseSeconds,
      (error, delayMs) => logWaiting(job.logger, step, error, delayMs),
      // Shutdown's grace running out (or the lease lost) stops the waiting: the run is then released.
      job.controller.signal,
    );
  }

  #reportUnexpected(error: unknown, step: string, run: ClaimedRun): void {
    this.#options.onUnexpectedError?.(error, { step, runId: run.runId, attempt: run.attempt });
  }

  #end(job: RunningJob, outcome: JobOutcome['outcome'], errorKind?: string, message?: string): void {
    this.#endQuietly(job);
    const durationMs = Math.round(performance.now() - job.startedAt);
    this.#options.onJobFinished?.({ run: job.run, outcome, durationMs, ...(errorKind ? { errorKind } : {}) });
    const line = { event: `job:${outcome}`, duration_ms: durationMs, error_kind: errorKind, error: message };
    if (outcome === 'done') job.logger.info(line, 'job done');
    else job.logger.warn(line, message ? `job ${outcome}: ${message}` : `job ${outcome}`);
  }

  /** Stops the job's lease keeper and forgets it. */
  #endQuietly(job: RunningJob): void {
    job.lease.stop();
    this.#inFlight.delete(job.run.runId);
  }
}

/** The line a slot logs while the database is out of reach: what it waits to do, why, and when it tries again. */
function logWaiting(logger: Logger, step: string, error: unknown, retryInMs: number): void {
  logger.warn(
    { event: 'db:waiting', step, err: error, retry_in_ms: retryInMs },
    `waiting for the database to ${step} (${(error as Error).message}); retrying in ${retryInMs} ms`,
  );
}

/** Settles as soon as the signal aborts, even if the handler ignores it. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
