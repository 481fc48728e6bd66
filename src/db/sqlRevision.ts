import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What sql/REVISION declares: this build's schema revision, and the oldest revision that runs against it. */
export interface SqlRevision {
  revision: number;
  compatibleFrom: number;
}

/** Reads `<sqlDir>/REVISION`: `revision N` and `compatible_from M` lines, `#` comments. */
export async function readSqlRevision(sqlDir: string): Promise<SqlRevision> {
  const path = join(sqlDir, 'REVISION');
  const values = new Map<string, number>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const text = line.replace(/#.*/, '').trim();
    if (!text) continue;
    const match = /^(revision|compatible_from)\s+([1-9]\d*)$/.exec(text);
    if (!match)
      throw new Error(`${path}: cannot read '${text}'; expected 'revision N' or 'compatible_from N'`);
    values.set(match[1] as string, Number(match[2]));
  }
  const revision = values.get('revision');
  const compatibleFrom = values.get('compatible_from') ?? revision;
  if (revision === undefined || compatibleFrom === undefined)
    throw new Error(`${path}: no 'revision N' line`);
  if (compatibleFrom > revision) {
    throw new Error(`${path}: compatible_from ${compatibleFrom} is above revision ${revision}`);
  }
  return { revision, compatibleFrom };
}
