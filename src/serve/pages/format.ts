/** How the dashboard and the report write figures: a missing figure (no answers, no mention) is a dash. */
const DASH = '–';

export const percent = (x: number | null | undefined): string =>
  x === null || x === undefined ? DASH : `${(x * 100).toFixed(1)}%`;

export const interval = (low: number | null | undefined, high: number | null | undefined): string =>
  low === null || low === undefined || high === null || high === undefined
    ? DASH
    : `${percent(low)} – ${percent(high)}`;

export const position = (x: number | null | undefined): string =>
  x === null || x === undefined ? DASH : x.toFixed(1);

/** A timestamp as UTC, to the minute: `2026-03-10 08:00 UTC`. */
export const utcMinute = (at: string | Date): string =>
  `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
