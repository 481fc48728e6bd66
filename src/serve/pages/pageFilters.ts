import { ApiError } from '../errors.ts';
import { FILTER_QUERY_SCHEMA, type Filters, filtersJson, parseFilters } from '../filters.ts';

/** What a page's filter form shows: the values as the user gave them (or as they took effect). */
export interface FormValues {
  since: string;
  until: string;
  ai_source: string;
  category: string;
  capture_mode: string;
  brand: string;
  grain: string;
  q: string;
}

/** A page's filters, parsed; or, when one is bad, the message that says which and what was typed. */
export type PageFilters =
  | { ok: true; filters: Filters; values: FormValues }
  | { ok: false; error: string; values: FormValues };

const typed = (value: unknown) => (typeof value === 'string' ? value : '');

/** The filters of a page's query string: a bad value is reported on the page (400), never a crash. */
export function readPageFilters(query: Record<string, unknown>): PageFilters {
  try {
    const filters = parseFilters(query);
    return { ok: true, filters, values: formValues(filters, typed(query.q)) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const values = Object.fromEntries(
      [...Object.keys(FILTER_QUERY_SCHEMA), 'q'].map((name) => [name, typed(query[name])]),
    ) as unknown as FormValues;
    return { ok: false, error: error.message, values };
  }
}

/** The form's values for filters that took effect: the dates it defaulted to are shown. */
function formValues(filters: Filters, q = ''): FormValues {
  const values = Object.entries(filtersJson(filters)).map(([name, value]) => [name, value ?? '']);
  return { ...(Object.fromEntries(values) as Omit<FormValues, 'q'>), q };
}
