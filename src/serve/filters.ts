import { ApiError } from './errors.ts';

/** What a figure, a page or the evidence is narrowed to: the query string of the API and of the dashboard. */
export interface Filters {
  /** First UTC day, YYYY-MM-DD (default: 29 days before `until`). */
  since: string;
  /** Last UTC day, YYYY-MM-DD, included (default: today). */
  until: string;
  aiSource: string | null;
  /** A category's name. */
  category: string | null;
  captureMode: 'ui' | 'api' | null;
  /** A tracked brand's name. */
  brand: string | null;
  grain: 'day' | 'week' | 'month';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GRAINS = ['day', 'week', 'month'] as const;
const MODES = ['ui', 'api'] as const;
/** The longest window one request may ask for: the figures are daily rows, and a page must stay small. */
export const MAX_WINDOW_DAYS = 3_660;

function day(name: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ApiError(`${name} must be a day as YYYY-MM-DD, got '${String(value)}'`);
  }
  const parsed = new Date(`${value}T00:00:00Z`);
  if (parsed.toISOString().slice(0, 10) !== value)
    throw new ApiError(`${name}: ${value} is not a calendar day`);
  return value;
}

function text(name: string, value: unknown, max = 200): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) {
    throw new ApiError(`${name} must be text of at most ${max} characters`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | null {
  if (value === undefined || value === null || value === '') return null;
  if (!allowed.includes(value as T)) {
    throw new ApiError(`${name} must be one of ${allowed.join(', ')}, got '${String(value)}'`);
  }
  return value as T;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Parses and checks a query string's filters; a bad value is an ApiError (400) that names it. */
export function parseFilters(query: Record<string, unknown>, now: Date = new Date()): Filters {
  const until = day('until', query.until) ?? isoDay(now);
  const since =
    day('since', query.since) ?? isoDay(new Date(Date.parse(`${until}T00:00:00Z`) - 29 * 86_400_000));
  if (since > until) throw new ApiError(`since (${since}) is after until (${until})`);
  const days = (Date.parse(until) - Date.parse(since)) / 86_400_000 + 1;
  if (days > MAX_WINDOW_DAYS)
    throw new ApiError(`since..until spans ${days} days; at most ${MAX_WINDOW_DAYS}`);
  return {
    since,
    until,
    aiSource: text('ai_source', query.ai_source, 64),
    category: text('category', query.category),
    captureMode: oneOf('capture_mode', query.capture_mode, MODES),
    brand: text('brand', query.brand),
    grain: oneOf('grain', query.grain, GRAINS) ?? 'day',
  };
}

/** The filters under the query string's names (null: not narrowed): what a response echoes, what to ask again. */
export function filtersJson(filters: Filters) {
  return {
    since: filters.since,
    until: filters.until,
    ai_source: filters.aiSource,
    category: filters.category,
    capture_mode: filters.captureMode,
    brand: filters.brand,
    grain: filters.grain,
  };
}

/** The filters as a stable query string: a cache key, and the dashboard's links. */
export function filtersKey(filters: Filters): string {
  const given = Object.entries(filtersJson(filters)).filter(
    (entry): entry is [string, string] => entry[1] !== null,
  );
  return new URLSearchParams(given).toString();
}

/** The JSON Schema of the filters' query parameters, for the routes' OpenAPI description. */
export const FILTER_QUERY_SCHEMA = {
  since: { type: 'string', description: 'first UTC day, YYYY-MM-DD (default: 29 days before until)' },
  until: { type: 'string', description: 'last UTC day, YYYY-MM-DD, included (default: today)' },
  ai_source: { type: 'string', description: 'one source, e.g. chatgpt' },
  category: { type: 'string', description: "a category's name" },
  capture_mode: { type: 'string', enum: ['ui', 'api'], description: 'ui (a browser) or api' },
  brand: { type: 'string', description: "a tracked brand's name" },
  grain: { type: 'string', enum: ['day', 'week', 'month'], description: 'group by (default day)' },
} as const;
