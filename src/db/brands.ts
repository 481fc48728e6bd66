import type { Queryable } from './queryable.ts';

/** A row of `brands` as code writes it: name, aliases, domains (no id). */
export interface BrandRow {
  name: string;
  aliases?: readonly string[];
  domains?: readonly string[];
}

/** Adds brands to track (one statement; a name already tracked is left as it is). `own` marks ours. */
export async function addBrands(db: Queryable, brands: readonly BrandRow[], own?: string): Promise<void> {
  await db.query(
    `INSERT INTO brands (name, aliases, domains, is_own)
     SELECT b->>'name',
            ARRAY(SELECT jsonb_array_elements_text(coalesce(b->'aliases', '[]'))),
            ARRAY(SELECT jsonb_array_elements_text(coalesce(b->'domains', '[]'))),
            b->>'name' IS NOT DISTINCT FROM $2
     FROM jsonb_array_elements($1::jsonb) AS b
     ON CONFLICT (name) DO NOTHING`,
    [JSON.stringify(brands), own ?? null],
  );
}
