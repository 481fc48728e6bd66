import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import { parseRows, type RowError, type RowShape, type UploadFormat } from './parseRows.ts';
import { RowProblem, readBoolean, readList, readText } from './rowFields.ts';

/** The fields of the brands table, as a `--brands` file gives them (src/extract/brandsFile.ts), and is_own. */
export const BRAND_ROWS: RowShape = { columns: ['name', 'aliases', 'domains', 'is_own'], required: 'name' };

/** A bare domain such as example.com, as the brands file takes it. */
const DOMAIN = { test: /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, says: 'a bare domain such as example.com' };
const MAX_NAME_CHARS = 200;
const MAX_ENTRIES = 100;

interface BrandToImport {
  name: string;
  aliases?: string[];
  domains?: string[];
  is_own?: boolean;
}

export interface ImportBrandsResult {
  /** Brands added or updated. */
  upserted: number;
  errors: RowError[];
}

/**
 * Adds or updates (by name) the good rows of an upload as tracked brands, in one transaction, and reports
 * each bad row by its number. A field a row leaves out keeps the brand's stored value. In CSV, aliases
 * and domains are `;`-separated.
 */
export async function importBrands(
  db: Db,
  upload: { text: string; format: UploadFormat },
): Promise<ImportBrandsResult> {
  const parsed = parseRows(upload.text, upload.format, BRAND_ROWS);
  const errors = [...parsed.errors];
  const brands: BrandToImport[] = [];
  const rowOfName = new Map<string, number>();
  for (const { row, fields } of parsed.rows) {
    try {
      const name = readText(fields, 'name', { max: MAX_NAME_CHARS, trim: true });
      if (name === undefined) throw new RowProblem('name is missing: every brand needs its name');
      const earlier = rowOfName.get(name);
      if (earlier !== undefined) throw new RowProblem(`the brand '${name}' is on row ${earlier} already`);
      const brand: BrandToImport = { name };
      const aliases = readList(fields, 'aliases', parsed.format, {
        max: MAX_NAME_CHARS,
        maxEntries: MAX_ENTRIES,
      });
      const domains = readList(fields, 'domains', parsed.format, {
        max: 253,
        maxEntries: MAX_ENTRIES,
        pattern: DOMAIN,
      });
      const isOwn = readBoolean(fields, 'is_own', parsed.format);
      if (aliases !== undefined) brand.aliases = aliases;
      if (domains !== undefined) brand.domains = domains;
      if (isOwn !== undefined) brand.is_own = isOwn;
      rowOfName.set(name, row);
      brands.push(brand);
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      errors.push({ row, message: error.message });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  if (brands.length === 0) return { upserted: 0, errors };
  const { rows } = await sql<{
    upserted: number;
  }>`SELECT import_brands(${JSON.stringify(brands)}::jsonb) AS upserted`.execute(db);
  return { upserted: rows[0]?.upserted ?? 0, errors };
}
