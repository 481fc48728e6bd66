import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import type { Lease } from './claimedRun.ts';

/** Gives the run back without charging the attempt (sql/060_release_prompt_run.sql). */
export async function releasePromptRun(db: Db, lease: Lease): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    SELECT release_prompt_run(${lease.runId}::bigint, ${lease.leaseToken}::uuid) AS held`.execute(db);
  return rows[0]?.held === true;
}
