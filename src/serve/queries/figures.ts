import type pg from 'pg';
import { ApiError } from '../errors.ts';
import type { Filters } from '../filters.ts';
import { checkFilterNames } from './catalog.ts';

/**
 * One brand in one period × ai_source × capture_mode (sql/160_api_figures.sql): the counts added up over
 * the period's days in the window and the categories asked for, the rates computed again from them.
 */
export interface BrandFigureRow {
  /** The period's first day, YYYY-MM-DD (a week starts on Monday); it may precede `since`. */
  period: string;
  ai_source: string;
  capture_mode: string;
  brand_id: number;
  brand: string;
  is_own: boolean;
  /** n: answers in the group. */
  answers: number;
  /** k: answers in the group that mention the brand. */
  mentioned: number;
  /** k / n; null when n = 0. */
  mention_rate: number | null;
  /** The 95% Wilson score interval of mention_rate. */
  ci_low: number | null;
  ci_high: number | null;
  /** k / answers in the group that mention any tracked brand; null when none does. */
  share_of_voice: number | null;
  /** Mean position over the mentioning answers (1 = named first); null when k = 0. */
  avg_position: number | null;
  positive: number;
  neutral: number;
  negative: number;
  recommended: number;
}

export interface CitedDomainRow {
  domain: string;
  /** The domain's tracked owner as its citations recorded it; null when untracked. */
  brand_id: number | null;
  brand: string | null;
  is_own: boolean | null;
  citations: number;
  answers_citing: number;
  /** citations / all citations in the window. */
  share: number;
}

export interface BrandCitationRow {
  brand_id: number;
  brand: string;
  is_own: boolean;
  citations: number;
  answers_citing: number;
}

export interface DiscoveredCompetitorRow {
  /** The name's most frequent spelling; names that differ only in case are one competitor. */
  name: string;
  /** Answers naming it, each once. */
  answers: number;
  positive: number;
  neutral: number;
  negative: number;
  /** ISO timestamps of the first and last answer naming it. */
  first_seen: string;
  last_seen: string;
}

/** Largest `limit` of the citation and competitor lists. */
export const MAX_FIGURE_ROWS = 500;

type Raw<T> = { [K in keyof T]: unknown };

const count = (value: unknown) => Number(value);
const idOrNull = (value: unknown) => (value === null ? null : Number(value));

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FIGURE_ROWS) {
    throw new ApiError(`limit must be an integer from 1 to ${MAX_FIGURE_ROWS}, got ${limit}`);
  }
}

/** Per period (filters.grain) × ai_source × capture_mode × brand, ordered by period, source, mode, brand id. */
export async function brandFigures(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
): Promise<BrandFigureRow[]> {
  await checkFilterNames(db, filters);
  const { rows } = await db.query<Raw<BrandFigureRow>>(
    `SELECT to_char(period, 'YYYY-MM-DD') AS period, ai_source, capture_mode, brand_id, brand, is_own,
            answers, mentioned, mention_rate, ci_low, ci_high, share_of_voice, avg_position,
            positive, neutral, negative, recommended
     FROM avt_api_brand_figures($1::date, $2::date, $3, $4, $5, $6, $7)`,
    [
      filters.since,
      filters.until,
      filters.grain,
      filters.aiSource,
      filters.category,
      filters.captureMode,
      filters.brand,
    ],
  );
  return rows.map((row) => ({
    period: row.period as string,
    ai_source: row.ai_source as string,
    capture_mode: row.capture_mode as string,
    brand_id: count(row.brand_id),
    brand: row.brand as string,
    is_own: row.is_own as boolean,
    answers: count(row.answers),
    mentioned: count(row.mentioned),
    mention_rate: row.mention_rate as number | null,
    ci_low: row.ci_low as number | null,
    ci_high: row.ci_high as number | null,
    share_of_voice: row.share_of_voice as number | null,
    avg_position: row.avg_position as number | null,
    positive: count(row.positive),
    neutral: count(row.neutral),
    negative: count(row.negative),
    recommended: count(row.recommended),
  }));
}

/**
 * The window's most cited domains, at most `limit`. Citations are counted per day × source × mode, not per
 * category: filters.category does not narrow them (callers say so).
 */
export async function citedDomains(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
  limit: number,
): Promise<CitedDomainRow[]> {
  checkLimit(limit);
  await checkFilterNames(db, filters);
  const { rows } = await db.query<Raw<CitedDomainRow>>(
    `SELECT domain, brand_id, brand, is_own, citations, answers_citing, share
     FROM avt_api_cited_domains($1::date, $2::date, $3, $4, $5, $6)`,
    [filters.since, filters.until, filters.aiSource, filters.captureMode, filters.brand, limit],
  );
  return rows.map((row) => ({
    domain: row.domain as string,
    brand_id: idOrNull(row.brand_id),
    brand: row.brand as string | null,
    is_own: row.is_own as boolean | null,
    citations: count(row.citations),
    answers_citing: count(row.answers_citing),
    share: row.share as number,
  }));
}

/** Every tracked brand (or filters.brand) with its citations in the window; not narrowed by category. */
export async function brandCitations(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
): Promise<BrandCitationRow[]> {
  await checkFilterNames(db, filters);
  const { rows } = await db.query<Raw<BrandCitationRow>>(
    `SELECT brand_id, brand, is_own, citations, answers_citing
     FROM avt_api_brand_citations($1::date, $2::date, $3, $4, $5)`,
    [filters.since, filters.until, filters.aiSource, filters.captureMode, filters.brand],
  );
  return rows.map((row) => ({
    brand_id: count(row.brand_id),
    brand: row.brand as string,
    is_own: row.is_own as boolean,
    citations: count(row.citations),
    answers_citing: count(row.answers_citing),
  }));
}

/** The untracked brands the window's answers named, most named first, at most `limit`. */
export async function discoveredCompetitors(
  db: Pick<pg.ClientBase, 'query'>,
  filters: Filters,
  limit: number,
): Promise<DiscoveredCompetitorRow[]> {
  checkLimit(limit);
  await checkFilterNames(db, filters);
  const { rows } = await db.query<Raw<DiscoveredCompetitorRow>>(
    `SELECT name, answers, positive, neutral, negative, first_seen, last_seen
     FROM avt_api_discovered_competitors($1::date, $2::date, $3, $4, $5, $6, $7)`,
    [
      filters.since,
      filters.until,
      filters.aiSource,
      filters.category,
      filters.captureMode,
      filters.brand,
      limit,
    ],
  );
  return rows.map((row) => ({
    name: row.name as string,
    answers: count(row.answers),
    positive: count(row.positive),
    neutral: count(row.neutral),
    negative: count(row.negative),
    first_seen: (row.first_seen as Date).toISOString(),
    last_seen: (row.last_seen as Date).toISOString(),
  }));
}
