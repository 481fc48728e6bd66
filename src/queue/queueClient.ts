import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun, Lease } from '../job/claimedRun.ts';
import type { RunResult } from '../job/result.ts';
import { type ClaimParams, claimNextPrompts } from './claimNextPrompt.ts';
import { commitResults } from './commitResult.ts';
import { LeaseLostError } from './errors.ts';
import { heartbeatPromptRun } from './heartbeatPromptRun.ts';
import { type FailureRecord, recordFailures } from './recordFailures.ts';
import { releasePromptRun } from './releasePromptRun.ts';
import { StatementBatcher } from './statementBatcher.ts';

/**
 * The queue as one worker process uses it: claim, heartbeat, commit, fail and release, each under the run's
 * lease. The claims, the commits and the failures of slots that ask together are sent as one statement
 * each (claim_next_prompts, commit_prompt_run_results, record_prompt_run_failures). Each run keeps its own
 * lease and its own outcome: a batch the database rejects is sent again one run at a time, so that one bad
 * result fails only its own job.
 */
export class QueueClient {
  readonly #db: Queryable;
  readonly #claims: StatementBatcher<undefined, ClaimedRun | null>;
  readonly #commits: StatementBatcher<{ lease: Lease; result: RunResult }, string | null | Error>;
  readonly #failures: StatementBatcher<
    { lease: Lease; record: FailureRecord },
    'queued' | 'dead' | null | Error
  >;

  constructor(db: Queryable, params: ClaimParams) {
    this.#db = db;
    this.#claims = new StatementBatcher(async (slots) => {
      const runs = await claimNextPrompts(db, params, slots.length);
      return slots.map((_, index) => runs[index] ?? null);
    });
    this.#commits = eachFailingAlone((commits) =>
      commitResults(
        db,
        commits.map(({ lease, result }) => ({ run: lease, result })),
      ),
    );
    this.#failures = eachFailingAlone((failures) => recordFailures(db, failures));
  }

  /** The next run for one slot, or null when none was left for it. */
  claim(): Promise<ClaimedRun | null> {
    return this.#claims.submit(undefined);
  }

  /** Extends the lease; false when it is no longer ours. */
  heartbeat(lease: Lease, leaseSeconds?: number): Promise<boolean> {
    return heartbeatPromptRun(this.#db, lease, leaseSeconds);
  }

  /** Commits the result and marks the run done: the new response id; LeaseLostError when the lease is gone. */
  async commit(lease: Lease, result: RunResult): Promise<string> {
    const outcome = await this.#commits.submit({ lease, result });
    if (outcome instanceof Error) throw outcome;
    if (outcome === null) throw new LeaseLostError(lease.runId);
    return outcome;
  }

  /** Records a failed attempt with its pause and alerts: the run's new status; LeaseLostError when the lease is gone. */
  async fail(lease: Lease, record: FailureRecord): Promise<'queued' | 'dead'> {
    const outcome = await this.#failures.submit({ lease, record });
    if (outcome instanceof Error) throw outcome;
    if (outcome === null) throw new LeaseLostError(lease.runId);
    return outcome;
  }

  /** Gives the run back, its attempt not charged; false when the lease was already gone. */
  release(lease: Lease): Promise<boolean> {
    return releasePromptRun(this.#db, lease);
  }
}

/**
 * A batcher whose batch, if the database rejects it, is sent again one input at a time: each input then
 * gets its own answer or its own error. A batch of one fails as it is.
 */
function eachFailingAlone<In, Out>(
  send: (inputs: In[]) => Promise<Out[]>,
): StatementBatcher<In, Out | Error> {
  return new StatementBatcher<In, Out | Error>(async (inputs) => {
    try {
      return await send(inputs);
    } catch (error) {
      if (inputs.length === 1) throw error;
      return Promise.all(
        inputs.map((input) =>
          send([input]).then(
            ([output]) => output as Out,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      );
    }
  });
}
