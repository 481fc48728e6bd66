import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import type { Lease } from '../job/claimedRun.ts';

/**
 * Marks the run done; false when the lease is no longer ours (sql/040_complete_prompt_run.sql).
 * To store a result too, use commitResult: it does both in one statement.
 */
export async function completePromptRun(db: Db, lease: Lease): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    SELECT complete_prompt_run(${lease.runId}::bigint, ${lease.leaseToken}::uuid) AS held`.execute(db);
  return rows[0]?.held === true;
}
