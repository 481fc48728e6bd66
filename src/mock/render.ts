import type { ComposedAnswer } from './answer.ts';
import { escapeHtml } from './html.ts';
import type { AnswerCitation } from './sources.ts';

/** How one site sets an answer: the flavour-specific part of rendering. */
export interface AnswerMarkup {
  /** The citation's href as the site links it (some add `utm_source`). */
  href(url: string): string;
  /** A paragraph's element; `index` lets Google fold the paragraphs past the second. */
  paragraph?(index: number, inner: string): string;
  /** Inline citation chips inside the answer text; absent when the site lists sources in a panel. */
  inline?: {
    html(citation: AnswerCitation, href: string): string;
    /** The chip's visible text, which becomes part of the answer's innerText. */
    label(citation: AnswerCitation): string;
  };
  /** The sources panel's HTML, for sites that list sources apart from the text. */
  panel?(citations: readonly AnswerCitation[], hrefs: readonly string[]): string;
}

/** Text split into stream units: each word with the whitespace before it (and after it, at the end). */
export function tokens(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [];
}

/** How many units the whole answer streams in: words plus citation chips. */
export function unitCount(answer: ComposedAnswer): number {
  let count = 0;
  for (const paragraph of answer.paragraphs) {
    for (const segment of paragraph) count += segment.kind === 'text' ? tokens(segment.text).length : 1;
  }
  return count;
}

/** The answer element's inner HTML after the first `limit` units have streamed (all of it by default). */
export function renderAnswer(answer: ComposedAnswer, markup: AnswerMarkup, limit = Number.POSITIVE_INFINITY) {
  let left = limit;
  const out: string[] = [];
  answer.paragraphs.forEach((paragraph, index) => {
    if (left <= 0) return;
    let inner = '';
    for (const segment of paragraph) {
      if (left <= 0) break;
      if (segment.kind === 'cite') {
        left -= 1;
        const citation = answer.citations[segment.citation];
        if (citation && markup.inline) inner += ` ${markup.inline.html(citation, markup.href(citation.url))}`;
        continue;
      }
      const words = tokens(segment.text).slice(0, left);
      left -= words.length;
      const text = escapeHtml(words.join(''));
      inner += segment.strong ? `<strong>${text}</strong>` : text;
    }
    out.push(markup.paragraph ? markup.paragraph(index, inner) : `<p>${inner}</p>`);
  });
  return out.join('');
}

/** What Chromium's innerText gives for the whole answer: paragraphs joined by a blank line. */
export function answerText(answer: ComposedAnswer, markup: AnswerMarkup): string {
  return answer.paragraphs
    .map((paragraph) =>
      paragraph
        .map((segment) => {
          if (segment.kind === 'text') return segment.text;
          const citation = answer.citations[segment.citation];
          return citation && markup.inline ? ` ${markup.inline.label(citation)}` : '';
        })
        .join(''),
    )
    .join('\n\n');
}

/** The citations as the page shows them, in page order: href and visible title. */
export function pageCitations(answer: ComposedAnswer, markup: AnswerMarkup) {
  return answer.citations.map((citation) => ({
    url: markup.href(citation.url),
    title: markup.inline ? markup.inline.label(citation) : citation.pageTitle,
  }));
}

/** Adds a query parameter before any fragment, as ChatGPT and Gemini do with `utm_source`. */
export function withParam(url: string, name: string, value: string): string {
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : url.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}${fragment}`;
}
