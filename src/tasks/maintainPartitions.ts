import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

/** Response partitions exist at least this many months ahead after each maintenance pass. */
export const PARTITION_MONTHS_AHEAD = 3;

/** Creates the monthly response partitions that are missing; returns their names. */
export async function maintainPartitions(db: Db, monthsAhead = PARTITION_MONTHS_AHEAD): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT create_response_partitions(${monthsAhead}::integer) AS name`.execute(db);
  return rows.map((row) => row.name);
}
