import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

/** Monthly partitions exist at least this many months ahead after each maintenance pass. */
export const PARTITION_MONTHS_AHEAD = 3;

export interface PartitionUpkeep {
  /** Partitions created for the months ahead. */
  created: string[];
  /** Partitions (and default partitions' rows) dropped by retention. */
  dropped: string[];
}

/**
 * The daily partition upkeep: creates the monthly partitions that are missing and, with `retentionMonths`,
 * drops the months whose answers are all older than that (sql/070_month_partitions.sql).
 */
export async function maintainPartitions(
  db: Db,
  options: { monthsAhead?: number; retentionMonths?: number | undefined } = {},
): Promise<PartitionUpkeep> {
  const created = await sql<{ name: string }>`
    SELECT create_response_partitions(${options.monthsAhead ?? PARTITION_MONTHS_AHEAD}::integer) AS name`.execute(
    db,
  );
  const dropped =
    options.retentionMonths === undefined
      ? { rows: [] }
      : await sql<{
          name: string;
        }>`SELECT apply_retention(${options.retentionMonths}::integer) AS name`.execute(db);
  return { created: created.rows.map((row) => row.name), dropped: dropped.rows.map((row) => row.name) };
}
