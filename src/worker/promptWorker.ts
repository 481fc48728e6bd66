import type { Logger } from 'pino';
import type { Db } from '../db/kysely.ts';
import type { Queryable } from '../db/queryable.ts';
import { BatchingQueueClient } from '../queue/batchingQueueClient.ts';
import type { ClaimedRun } from '../queue/claimedRun.ts';
import { LeaseLostError } from '../queue/errors.ts';
import { recordFailure } from '../queue/recordFailure.ts';
import { releasePromptRun } from '../queue/releasePromptRun.ts';
import { planFailure } from './failurePolicy.ts';
import { classifyError } from './jobErrors.ts';
import type { JobHandler } from './jobHandler.ts';
import { keepLease } from './leaseKeeper.ts';
import { WakeSignal } from './wakeSignal.ts';

export interface PromptWorkerOptions {
  db: Db;
  /** The same pool as `db`'s: the claims and the commits use it directly. */
  pool: Queryable;
  handler: JobHandler;
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

/**
 * The claim loop of one worker process: `concurrency` slots, each claiming a run of one source, running the
 * job handler under a renewed lease, and committing the result or recording the failure. Slots that claim,
 * or commit, at the same moment share one statement (BatchingQueueClient).
 */
export class PromptWorker {
  readonly #options: PromptWorkerOptions;
  readonly #queue: BatchingQueueClient;
  readonly #wake = new WakeSignal();
  readonly #inFlight = new Map<string, AbortController>();
  #claiming = true;
  #started = 0;
  #slots: Promise<void>[] = [];

  constructor(options: PromptWorkerOptions) {
    this.#options = options;
    this.#queue = new BatchingQueueClient(options.pool, {
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
        logger.error({ event: 'claim:failed', err: error }, 'claim failed; retrying after the poll interval');
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
      const resultReady = Promise.withResolvers<void>();
      const job = this.#runJob(run, resultReady.resolve);
      // Awaited after the next claim; until then, kept from being reported as unhandled.
      job.catch(() => {});
      const stillCommitting = await Promise.race([
        resultReady.promise.then(() => true),
        job.then(() => false),
      ]);
      committing = stillCommitting ? job : null;
    }
    await committing;
    this.#wake.disarm(slot);
  }

  /** Runs the job and commits its result (calling `onCommit` as it starts to), or records its failure. */
  async #runJob(run: ClaimedRun, onCommit: () => void): Promise<void> {
    const { db, handler } = this.#options;
    const logger = this.#options.logger.child({ run_id: run.runId, attempt: run.attempt });
    const controller = new AbortController();
    this.#inFlight.set(run.runId, controller);
    const startedAt = performance.now();
    const finish = (outcome: JobOutcome['outcome'], errorKind?: string, message?: string) => {
      const durationMs = Math.round(performance.now() - startedAt);
      this.#options.onJobFinished?.({ run, outcome, durationMs, ...(errorKind ? { errorKind } : {}) });
      const line = {
        event: `job:${outcome}`,
        duration_ms: durationMs,
        error_kind: errorKind,
        error: message,
      };
      if (outcome === 'done') logger.info(line, 'job done');
      else logger.warn(line, message ? `job ${outcome}: ${message}` : `job ${outcome}`);
    };
    const lease = keepLease(
      db,
      run,
      this.#options.leaseSeconds ?? this.#options.sourceLeaseSeconds,
      (lost) => controller.abort(lost),
      logger,
    );
    logger.debug({ event: 'job:start' }, 'job started');
    try {
      const result = await abortable(
        handler.run({ run, signal: controller.signal, logger }),
        controller.signal,
      );
      onCommit();
      await this.#queue.commit(run, result);
      finish('done');
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof LeaseLostError || error instanceof LeaseLostError) {
        finish('lease_lost');
      } else if (reason instanceof ShutdownAbort) {
        await releasePromptRun(db, run).catch((releaseError: unknown) =>
          logger.error({ event: 'job:release:failed', err: releaseError }, 'could not release the run'),
        );
        finish('released');
      } else {
        const classified = classifyError(error);
        try {
          const outcome = await recordFailure(db, run, planFailure(run, classified));
          const state = outcome.held ? (outcome.status === 'dead' ? 'dead' : 'retry') : 'lease_lost';
          finish(state, classified.kind, classified.message);
        } catch (recordError) {
          // The lease will expire and another claim will take the run back: nothing is lost.
          logger.error({ event: 'job:fail:record:failed', err: recordError }, 'could not record the failure');
        }
      }
    } finally {
      lease.stop();
      this.#inFlight.delete(run.runId);
    }
  }
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
