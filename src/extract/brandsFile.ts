import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BrandRow } from '../db/brands.ts';
import { UsageError } from '../usageError.ts';
import type { TrackedBrand } from './types.ts';

/** One entry of a `--brands` file: a row of the `brands` table, without its id. */
export type BrandsFileEntry = BrandRow;

const brandsFileSchema = z
  .array(
    z.object({
      name: z.string().trim().min(1),
      aliases: z.array(z.string().trim().min(1)).optional(),
      domains: z
        .array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a bare domain such as example.com'))
        .optional(),
    }),
  )
  .min(1, 'at least one brand');

/** Reads a `--brands` file: a JSON array of `{ name, aliases?, domains? }`. */
export async function loadBrandsFile(path: string): Promise<BrandsFileEntry[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the brands file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`the brands file ${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = brandsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `the brands file ${path} must be a JSON array of { name, aliases?, domains? }: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Brands from a file as the extractors take them: no database, so no ids. */
export function trackedBrandsOf(entries: readonly BrandsFileEntry[]): TrackedBrand[] {
  return entries.map((b) => ({ id: null, name: b.name, aliases: b.aliases ?? [], domains: b.domains ?? [] }));
}
