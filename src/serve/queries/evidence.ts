import type pg from 'pg';
import { ApiError } from '../errors.ts';
import type { Filters } from '../filters.ts';
import { checkFilterNames } from './catalog.ts';

export interface AnswerMention {
  /** null: a name the answer used that is not a tracked brand. */
  brand_id: number | null;
  brand: string;
  position: number;
  mention_count: number;
  snippet: string | null;
  sentiment: 'positive' | 'neutral' | 'negative' | null;
  recommended: boolean | null;
}

export interface AnswerCitation {
  position: number;
  url: string;
  domain: string;
  title: string | null;
  /** The domain's tracked owner; null when untracked. */
  brand: string | null;
}

/** One stored answer with what was extracted from it (sql/165_api_evidence.sql). */
export interface AnswerRow {
  id: number;
  /** ISO timestamp. */
  captured_at: string;
  ai_source: string;
  capture_mode: string;
  /** null when the prompt was deleted since. */
  prompt: string | null;
  category: string | null;
  answer_text: string;
  extraction_method: string;
  mentions: AnswerMention[];
  citations: AnswerCitation[];
}

export interface AnswerPage {
  rows: AnswerRow[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

export interface AnswerSearch {
  /** Text the answer must contain, case ignored, taken literally. */
  q?: string | null;
  /** The previous page's next_cursor. */
  cursor?: string | null;
  limit: number;
}

export const MAX_ANSWERS_PER_PAGE = 200;

/** Where a page ends: the last row's captured_at to the microsecond (a JS Date keeps only milliseconds). */
interface Cursor {
  capturedAt: string;
  id: string;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\/(\d{1,18})$/;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.capturedAt}/${cursor.id}`).toString('base64url');
}

function decodeCursor(value: string): Cursor {
  const match = CURSOR.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match || Number.isNaN(Date.parse(match[1] as string))) {
    throw new ApiError("cursor is not one this API handed out: pass a page's next_cursor as it came");
  }
  return { capturedAt: match[1] as string, id: match[2] as string };
}

/**
 * The answers behind the figures the filters select, newest first (captured_at, then id, descending), a
 * page of `limit` at a time: filters.brand keeps answers that mention that brand, `q` those whose text
 * contains it. A bad cursor, limit or name is an ApiError (400).
 */
export async function findAnswers(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
  search: AnswerSearch,
): Promise<AnswerPage> {
  const { limit } = search;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANSWERS_PER_PAGE) {
    throw new ApiError(`limit must be an integer from 1 to ${MAX_ANSWERS_PER_PAGE}, got ${limit}`);
  }
  const after = search.cursor ? decodeCursor(search.cursor) : null;
  await checkFilterNames(db, filters);
  // One row more than asked: whether there is a next page.
  const { rows } = await db.query<Omit<AnswerRow, 'id' | 'captured_at'> & { id: string; exact_at: string }>(
    `SELECT id, to_char(captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS exact_at,
            ai_source, capture_mode, prompt, category, answer_text, extraction_method, mentions, citations
     FROM avt_api_answers($1::date, $2::date, $3, $4, $5, $6, $7, $8::timestamptz, $9::bigint, $10)`,
    [
      filters.since,
      filters.until,
      filters.aiSource,
      filters.category,
      filters.captureMode,
      filters.brand,
      search.q || null,
      after?.capturedAt ?? null,
      after?.id ?? null,
      limit + 1,
    ],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ exact_at, ...row }) => ({
      ...row,
      id: Number(row.id),
      captured_at: new Date(exact_at).toISOString(),
    })),
    next_cursor:
      rows.length > limit && last ? encodeCursor({ capturedAt: last.exact_at, id: last.id }) : null,
  };
}
