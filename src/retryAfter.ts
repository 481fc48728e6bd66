/** What a 429 or 503 says about when to come back: the page capture and the LLM client read it alike. */

/** Retry-After header: seconds, or an HTTP date. */
export function retryAfterFromHeader(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
