import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import { InvalidInputError } from './errors.ts';
import { parseRows, type RowError, type RowShape, type UploadFormat } from './parseRows.ts';
import { RowProblem, readBoolean, readInteger, readText } from './rowFields.ts';

/** The fields of a prompt to enqueue; a bare JSON string is its text. */
export const PROMPT_ROWS: RowShape = {
  columns: ['text', 'category', 'priority', 'active'],
  required: 'text',
  plainString: 'text',
};

/** prompts_text_max_8000_chars (migrations/0001). */
const MAX_PROMPT_CHARS = 8_000;
const MAX_CATEGORY_CHARS = 200;
const INT4 = { min: -2_147_483_648, max: 2_147_483_647 };
/** Prompts per statement: a progress step, and a bound on the size of one parameter. */
const CHUNK = 1_000;

interface PromptToAdd {
  text: string;
  category: string | null;
  priority: number;
  active: boolean;
}

export interface EnqueueResult {
  /** Prompts added; each fanned out into runs by the prompts trigger. */
  added: number;
  /** The rows left out, and why. */
  errors: RowError[];
}

/** A category's name as stored: trimmed, not blank, at most 200 characters. */
export function categoryName(value: unknown, name = 'category'): string | undefined {
  return readText({ [name]: value }, name, { max: MAX_CATEGORY_CHARS, trim: true });
}

/**
 * Adds the good rows of an upload as prompts, in one transaction (the named categories that do not exist
 * are created), and reports each bad row by its number. `defaultCategory` is the category of rows that
 * name none. The prompts fan out into one queued run per enabled source, and the workers are woken.
 * `onProgress` hears how many of the good rows are in after each chunk of 1,000 (committed together).
 */
export async function enqueuePrompts(
  db: Db,
  upload: { text: string; format: UploadFormat },
  options: {
    defaultCategory?: string | null;
    onProgress?: (added: number, total: number) => void;
  } = {},
): Promise<EnqueueResult> {
  let defaultCategory: string | null;
  try {
    defaultCategory = categoryName(options.defaultCategory ?? undefined) ?? null;
  } catch (error) {
    throw new InvalidInputError(`the default ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseRows(upload.text, upload.format, PROMPT_ROWS);
  const errors = [...parsed.errors];
  const prompts: PromptToAdd[] = [];
  for (const { row, fields } of parsed.rows) {
    try {
      const text = readText(fields, 'text', { max: MAX_PROMPT_CHARS, trim: false });
      if (text === undefined) throw new RowProblem('text is missing: every prompt needs its text');
      prompts.push({
        text,
        category: categoryName(fields.category) ?? defaultCategory,
        priority: readInteger(fields, 'priority', parsed.format, INT4) ?? 0,
        active: readBoolean(fields, 'active', parsed.format) ?? true,
      });
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      errors.push({ row, message: error.message });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  if (prompts.length === 0) return { added: 0, errors };
  const added = await db.transaction().execute(async (trx) => {
    let count = 0;
    for (let start = 0; start < prompts.length; start += CHUNK) {
      const chunk = prompts.slice(start, start + CHUNK);
      const { rows } = await sql<{
        added: number;
      }>`SELECT enqueue_prompts(${JSON.stringify(chunk)}::jsonb) AS added`.execute(trx);
      count += rows[0]?.added ?? 0;
      options.onProgress?.(start + chunk.length, prompts.length);
    }
    return count;
  });
  return { added, errors };
}
