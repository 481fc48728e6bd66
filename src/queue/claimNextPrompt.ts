import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from '../job/claimedRun.ts';

export interface ClaimParams {
  workerId: number;
  aiSource: string;
  /** Lease length; the source's `lease_seconds` when omitted. */
  leaseSeconds?: number | undefined;
  /** Makes `locked_by` unique per process, e.g. `host:pid`. */
  workerTag?: string | undefined;
}

/** A row of claim_next_prompts (and claim_next_prompt), as SQL returns it. */
export interface ClaimRow {
  run_id: string;
  prompt_id: string;
  prompt_text: string;
  source: string;
  round: number;
  sample: number;
  attempt: number;
  max_attempts: number;
  lease_token: string;
  locked_by: string;
  locked_until: Date;
}

/** Claims the next eligible run of a source (sql/020_claim_next_prompt.sql); null when there is none. */
export async function claimNextPrompt(db: Queryable, params: ClaimParams): Promise<ClaimedRun | null> {
  const [run] = await claimNextPrompts(db, params, 1);
  return run ?? null;
}

/**
 * Claims up to `maxRuns` eligible runs of a source in one statement, each under its own lease, in claim
 * order (sql/020_claim_next_prompt.sql); fewer, or none, when fewer are eligible or the source's
 * max_concurrency leaves fewer slots.
 */
export async function claimNextPrompts(
  db: Queryable,
  params: ClaimParams,
  maxRuns: number,
): Promise<ClaimedRun[]> {
  // A named (prepared) statement: parsed once per connection, not once per claim.
  const { rows } = await db.query<ClaimRow>({
    name: 'avt_claim_next_prompts',
    text: 'SELECT * FROM claim_next_prompts($1::integer, $2::text, $3::integer, $4::integer, $5::text)',
    values: [
      params.workerId,
      params.aiSource,
      maxRuns,
      params.leaseSeconds ?? null,
      params.workerTag ?? null,
    ],
  });
  return rows.map(toClaimedRun);
}

export function toClaimedRun(row: ClaimRow): ClaimedRun {
  return {
    runId: row.run_id,
    promptId: row.prompt_id,
    promptText: row.prompt_text,
    aiSource: row.source,
    round: row.round,
    sample: row.sample,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    leaseToken: row.lease_token,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
  };
}
