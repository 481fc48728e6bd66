import { normalizedDomain } from '../../job/domain.ts';
import type { AnswerLink } from '../../job/result.ts';
import type { ExtractedCitation } from '../types.ts';
import type { DomainOwners } from './domainOwners.ts';
import { quoteOf } from './textFragment.ts';
import type { UrlSpan } from './urlSpans.ts';

/** A Markdown link's text right before its URL: `[text](` + url. */
const MARKDOWN_LINK_TEXT = /\[([^[\]\n]*)\]\(<?$/;

/**
 * The URLs written in the text as links: title null, except for a Markdown link `[text](url)`, whose
 * text (emphasis marks removed) is its title.
 */
export function textLinks(text: string, spans: readonly UrlSpan[]): AnswerLink[] {
  const links: AnswerLink[] = [];
  for (const span of spans) {
    if (!span.url) continue;
    const label = MARKDOWN_LINK_TEXT.exec(text.slice(Math.max(0, span.start - 500), span.start))?.[1];
    const title = label?.replace(/[*`]/g, '').replace(/\s+/g, ' ').trim();
    links.push({ url: span.url, title: title || null });
  }
  return links;
}

/**
 * Numbers the links 1..n in the order given, skipping any that is not an http(s) URL and any already
 * seen (the same address, compared as the URL parser writes it, so host case and a bare "/" path do
 * not count as different). The first occurrence keeps its title.
 */
export function citationsOf(links: Iterable<AnswerLink>, owners: DomainOwners): ExtractedCitation[] {
  const seen = new Set<string>();
  const citations: ExtractedCitation[] = [];
  for (const link of links) {
    const url = link.url.trim();
    let key: string;
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
      key = parsed.href;
    } catch {
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const domain = normalizedDomain(url);
    const owner = owners(domain);
    citations.push({
      position: citations.length + 1,
      url,
      domain,
      title: link.title?.trim() || null,
      brandId: owner?.id ?? null,
      brandName: owner?.name ?? null,
      quote: quoteOf(url),
    });
  }
  return citations;
}
