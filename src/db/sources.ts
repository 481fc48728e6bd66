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
