import type { Queryable } from '../db/queryable.ts';
import type { ClaimedRun } from './claimedRun.ts';

export interface ClaimParams {
  workerId: number;
  aiSource: string;
  /** Lease length; the source's `lease_seconds` when omitted. */
  leaseSeconds?: number | undefined;
  /** Makes `locked_by` unique per process, e.g. `host:pid`. */
  workerTag?: string | undefined;
}

/** A row of claim_next_prompt, as SQL returns it. */
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
  // A named (prepared) statement: parsed once per connection, not once per claim.
  const { rows } = await db.query<ClaimRow>({
    name: 'avt_claim_next_prompt',
    text: 'SELECT * FROM claim_next_prompt($1::integer, $2::text, $3::integer, $4::text)',
    values: [params.workerId, params.aiSource, params.leaseSeconds ?? null, params.workerTag ?? null],
  });
  const row = rows[0];
  return row ? toClaimedRun(row) : null;
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
