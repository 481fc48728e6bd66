import type { Queryable } from '../db/queryable.ts';
import type { Lease } from '../job/claimedRun.ts';

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
export async function failPromptRun(db: Queryable, lease: Lease, failure: Failure): Promise<boolean> {
  const retryAfter = failure.retryAfterSeconds === undefined ? null : Math.ceil(failure.retryAfterSeconds);
  const { rows } = await db.query<{ held: boolean }>({
    name: 'avt_fail_prompt_run',
    text: 'SELECT fail_prompt_run($1::bigint, $2::uuid, $3::text, $4::text, $5::integer) AS held',
    values: [lease.runId, lease.leaseToken, failure.kind, failure.message, retryAfter],
  });
  return rows[0]?.held === true;
}
