import type { Db } from '../db/kysely.ts';
import { readAiSource } from '../db/sources.ts';
import { UnknownSourceError } from './errors.ts';

/** Checks that `name` is in ai_sources; an UnknownSourceError lists the known ones otherwise. */
export async function requireSource(db: Db, name: string): Promise<void> {
  const lookup = await readAiSource(db, name);
  if (!lookup.found) throw new UnknownSourceError(name, lookup.known);
}
