import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from './claimedRun.ts';
import { type ClaimParams, claimNextPrompts } from './claimNextPrompt.ts';
import { commitResults, type RunCommit, type RunResult } from './commitResult.ts';
import { LeaseLostError } from './errors.ts';
import { StatementBatcher } from './statementBatcher.ts';

/**
 * The queue as one worker process's slots use it: claimNextPrompt and commitResult, with the claims, and the
 * commits, of slots that ask together sent as one statement (claim_next_prompts, commit_prompt_run_results).
 * Each run keeps its own lease and its own outcome: a commit whose lease was lost throws LeaseLostError for
 * that run alone, and a batch the database rejects is committed again one run at a time, so that one bad
 * result fails only its own job.
 */
export class BatchingQueueClient {
  readonly #claims: StatementBatcher<undefined, ClaimedRun | null>;
  readonly #commits: StatementBatcher<RunCommit, string | null | Error>;

  constructor(db: Queryable, params: ClaimParams) {
    this.#claims = new StatementBatcher(async (slots) => {
      const runs = await claimNextPrompts(db, params, slots.length);
      return slots.map((_, index) => runs[index] ?? null);
    });
    this.#commits = new StatementBatcher(async (commits) => {
      try {
        return await commitResults(db, commits);
      } catch (error) {
        if (commits.length === 1) throw error;
        return Promise.all(
          commits.map((commit) =>
            commitResults(db, [commit]).then(
              ([responseId]) => responseId ?? null,
              (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
            ),
          ),
        );
      }
    });
  }

  /** The next run for one slot, or null when none was left for it. */
  claim(): Promise<ClaimedRun | null> {
    return this.#claims.submit(undefined);
  }

  /** commitResult, batched: the new response id; LeaseLostError when the lease no longer held. */
  async commit(run: Pick<ClaimedRun, 'runId' | 'leaseToken'>, result: RunResult): Promise<string> {
    const outcome = await this.#commits.submit({ run, result });
    if (outcome instanceof Error) throw outcome;
    if (outcome === null) throw new LeaseLostError(run.runId);
    return outcome;
  }
}
