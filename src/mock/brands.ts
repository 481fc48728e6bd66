import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../usageError.ts';

/** A brand the mock's answers may mention; the same shape as a row of the `brands` table. */
export interface MockBrand {
  name: string;
  aliases?: string[];
  domains?: string[];
}

/**
 * The built-in market: CRM tools. Some names are deliberately awkward for an extractor: a common word
 * ("Close"), a dot ("Monday.com"), a symbol ("Act!"), a product name that differs from the company's.
 */
export const DEMO_BRANDS: readonly MockBrand[] = [
  { name: 'HubSpot', aliases: ['HubSpot CRM', 'HubSpot Sales Hub'], domains: ['hubspot.com'] },
  { name: 'Salesforce', aliases: ['Salesforce Sales Cloud', 'Sales Cloud'], domains: ['salesforce.com'] },
  { name: 'Pipedrive', aliases: [], domains: ['pipedrive.com'] },
  { name: 'Zoho CRM', aliases: ['Zoho'], domains: ['zoho.com'] },
  { name: 'Monday.com', aliases: ['monday CRM', 'monday sales CRM'], domains: ['monday.com'] },
  { name: 'Freshsales', aliases: ['Freshworks CRM'], domains: ['freshworks.com'] },
  { name: 'Close', aliases: ['Close CRM', 'Close.io'], domains: ['close.com'] },
  { name: 'Act!', aliases: ['Act! CRM'], domains: ['act.com'] },
];

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
export async function loadBrandsFile(path: string): Promise<MockBrand[]> {
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
