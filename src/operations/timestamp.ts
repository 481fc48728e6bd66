import { InvalidInputError } from './errors.ts';

/** A day (midnight UTC), or a date and time with its offset: with no offset, the time would be a guess. */
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** An ISO 8601 timestamp a caller gave as `name`; an InvalidInputError says what is wrong with it. */
export function parseTimestamp(name: string, value: string): Date {
  const time = ISO_TIMESTAMP.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new InvalidInputError(
      `${name} must be an ISO 8601 timestamp with its offset (e.g. 2025-06-01T12:00:00Z) or a day ` +
        `(2025-06-01, midnight UTC), got '${value.slice(0, 60)}'`,
    );
  }
  return new Date(time);
}
