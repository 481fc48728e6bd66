import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import type { Lease } from './claimedRun.ts';

export interface Failure {
  /** A row of `error_kinds`: rate_limited, captcha, timeout, bad_input, ... */
  kind: string;
  message: string;
  /** A floor under the backoff, e.g. the platform's Retry-After. */
  retryAfterSeconds?: number | undefined;
  /** Where the attempt's screenshot and page HTML were saved. */
  artifactsPath?: string | undefined;
}

/** Records a failed attempt: re-queued with backoff, or dead (sql/050_fail_prompt_run.sql). */
export async function failPromptRun(db: Db, lease: Lease, failure: Failure): Promise<boolean> {
  const retryAfter = failure.retryAfterSeconds === undefined ? null : Math.ceil(failure.retryAfterSeconds);
  const { rows } = await sql<{ held: boolean }>`
    SELECT fail_prompt_run(${lease.runId}::bigint, ${lease.leaseToken}::uuid, ${failure.kind}::text,
      ${failure.message}::text, ${retryAfter}::integer) AS held`.execute(db);
  return rows[0]?.held === true;
}
