import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

/**
 * Folds the daily figures' rows into one per key for the days that got rows since the last pass
 * (sql/130_daily_figures.sql); returns how many rows it folded. The figures read the same before and after.
 */
export async function compactDailyFigures(db: Db): Promise<number> {
  const { rows } = await sql<{ folded: string }>`SELECT compact_daily_figures() AS folded`.execute(db);
  return Number(rows[0]?.folded ?? 0);
}
