import type { Db } from './kysely.ts';

export type AiSourceLookup =
  | { found: true; name: string; leaseSeconds: number }
  | { found: false; known: string[] };

/** The source's row, or the list of known sources to put in the error message. */
export async function readAiSource(db: Db, name: string): Promise<AiSourceLookup> {
  const rows = await db.selectFrom('ai_sources').select(['name', 'lease_seconds']).orderBy('name').execute();
  const row = rows.find((r) => r.name === name);
  return row
    ? { found: true, name: row.name, leaseSeconds: row.lease_seconds }
    : { found: false, known: rows.map((r) => r.name) };
}

/** Clears a pause (set by a captcha, a login wall or a rate limit); false when the source is unknown. */
export async function resumeSource(db: Db, name: string): Promise<boolean> {
  const result = await db
    .updateTable('ai_sources')
    .set({ paused_until: null, pause_reason: null })
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
