/**
 * The quote a URL's text fragment highlights (`#:~:text=[prefix-,]textStart[,textEnd][,-suffix]`):
 * textStart, or "textStart…textEnd" for a range, percent-decoded (`%2D` is a literal dash). Only the first
 * `text=` directive counts; the prefix and suffix only disambiguate, so they are dropped. Null when the
 * URL has no valid text directive.
 */
export function quoteOf(url: string): string | null {
  const hash = url.indexOf('#');
  if (hash === -1) return null;
  const delimiter = url.indexOf(':~:', hash);
  if (delimiter === -1) return null;
  const directive = url
    .slice(delimiter + 3)
    .split('&')
    .find((d) => d.startsWith('text='));
  if (!directive) return null;
  const parts = directive.slice('text='.length).split(',');
  if (parts[0]?.endsWith('-')) parts.shift();
  if (parts.at(-1)?.startsWith('-')) parts.pop();
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === '')) return null;
  try {
    const [start, end] = parts.map((p) => decodeURIComponent(p).trim());
    if (!start || end === '') return null;
    return end === undefined ? start : `${start}…${end}`;
  } catch {
    return null; // malformed percent-encoding
  }
}
