import type pg from 'pg';
import { ApiError } from '../errors.ts';
import type { Filters } from '../filters.ts';

/** A tracked brand, as /api/brands lists it. */
export interface TrackedBrandRow {
  id: number;
  name: string;
  aliases: string[];
  domains: string[];
  is_own: boolean;
}

export interface SourceRow {
  name: string;
  enabled: boolean;
}

export interface CategoryRow {
  id: number;
  name: string;
}

export async function listBrands(db: Pick<pg.ClientBase, 'query'>): Promise<TrackedBrandRow[]> {
  const { rows } = await db.query<TrackedBrandRow & { id: string }>(
    'SELECT id, name, aliases, domains, is_own FROM brands ORDER BY name',
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function listSources(db: Pick<pg.ClientBase, 'query'>): Promise<SourceRow[]> {
  const { rows } = await db.query<SourceRow>('SELECT name, enabled FROM ai_sources ORDER BY name');
  return rows;
}

export async function listCategories(db: Pick<pg.ClientBase, 'query'>): Promise<CategoryRow[]> {
  const { rows } = await db.query<CategoryRow & { id: string }>(
    'SELECT id, name FROM categories ORDER BY name',
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** How many known names an error lists before it points at the list's endpoint instead. */
const NAMES_SHOWN = 30;

function unknownName(parameter: string, value: string, known: string[], endpoint: string): ApiError {
  const shown = known.slice(0, NAMES_SHOWN).join(', ');
  const more = known.length > NAMES_SHOWN ? `, and ${known.length - NAMES_SHOWN} more (GET ${endpoint})` : '';
  return new ApiError(
    known.length === 0
      ? `${parameter}: unknown '${value}'; there are none yet`
      : `${parameter}: unknown '${value}'; known: ${shown}${more}`,
  );
}

/**
 * Checks that the source, category and brand the filters name exist (names match exactly); an unknown one
 * is an ApiError (400) that lists the known names. One query when they all exist.
 */
export async function checkFilterNames(db: Pick<pg.ClientBase, 'query'>, filters: Filters): Promise<void> {
  if (filters.aiSource === null && filters.category === null && filters.brand === null) return;
  const { rows } = await db.query<{ source: boolean; category: boolean; brand: boolean }>(
    `SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM ai_sources s WHERE s.name = $1) AS source,
            $2::text IS NULL OR EXISTS (SELECT 1 FROM categories c WHERE c.name = $2) AS category,
            $3::text IS NULL OR EXISTS (SELECT 1 FROM brands b WHERE b.name = $3) AS brand`,
    [filters.aiSource, filters.category, filters.brand],
  );
  const found = rows[0] as { source: boolean; category: boolean; brand: boolean };
  if (!found.source && filters.aiSource !== null) {
    const known = (await listSources(db)).map((row) => row.name);
    throw unknownName('ai_source', filters.aiSource, known, '/api/sources');
  }
  if (!found.category && filters.category !== null) {
    const known = (await listCategories(db)).map((row) => row.name);
    throw unknownName('category', filters.category, known, '/api/categories');
  }
  if (!found.brand && filters.brand !== null) {
    const known = (await listBrands(db)).map((row) => row.name);
    throw unknownName('brand', filters.brand, known, '/api/brands');
  }
}
