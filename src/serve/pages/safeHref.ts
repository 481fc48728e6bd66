/**
 * The href a cited URL may become: only http and https, normalized by the URL parser (so `javascript:`,
 * `data:`, ` JavaScript:` and the like never become links); null means "show it as text".
 */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
}
