/** The domain a citation counts for: host name in lower case, without a leading `www.`. */
export function normalizedDomain(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return '';
  }
}
