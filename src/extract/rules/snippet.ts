import type { Span } from './brandMatcher.ts';

/** Longest snippet kept; a longer sentence is cut to a window around the mention. */
const MAX_SNIPPET_CHARS = 300;
/** How much of a long sentence to keep before the mention. */
const LEAD_CHARS = 100;

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
const TERMINAL = /[.!?]$/;
/** Closing punctuation and spaces within one line: what may sit between a name and a sentence break. */
const SAME_LINE_GAP = /^[)\]"'’”»\p{Zs}\t]*$/u;

/**
 * Abbreviations ("e.g.", "vs.", initials as in "U.S.") after which the segmenter's break (ICU breaks
 * before any capital) does not end the sentence: "e.g. Salesforce" stays in one snippet.
 */
const ABBREVIATION =
  /(?:^|[\s(])(?:vs|cf|esp|incl|approx|mr|mrs|ms|dr|prof|(?:\p{L}\.)*\p{L})\.[)\p{Zs}\t]*$/iu;

/**
 * The sentence boundaries of `text` (0 and text.length included), less those after an abbreviation,
 * those inside a URL ("wiki/Act!_(software)"), and those a brand name causes: a break inside a name, or
 * right after a name ending in ".", "!" or "?" ("Act! is the oldest CRM." is one sentence). A line
 * break always ends a sentence, so list items stay apart.
 */
export function sentenceBoundaries(text: string, names: readonly Span[], urls: readonly Span[]): number[] {
  const boundaries: number[] = [];
  for (const { index } of sentences.segment(text)) {
    const previous = boundaries.at(-1);
    if (previous !== undefined && ABBREVIATION.test(text.slice(Math.max(previous, index - 12), index))) {
      continue;
    }
    boundaries.push(index);
  }
  boundaries.push(text.length);
  const ignored = new Set<number>();
  for (const url of urls) {
    for (const b of boundaries) if (b > url.start && b < url.end) ignored.add(b);
  }
  for (const name of names) {
    for (const b of boundaries) {
      if (b > name.start && b < name.end) ignored.add(b);
      else if (b >= name.end && b < text.length) {
        if (TERMINAL.test(text.slice(name.start, name.end)) && SAME_LINE_GAP.test(text.slice(name.end, b))) {
          ignored.add(b);
        }
        break;
      }
    }
  }
  return ignored.size === 0 ? boundaries : boundaries.filter((b) => !ignored.has(b));
}

/**
 * The sentence holding `name`, whitespace collapsed; over MAX_SNIPPET_CHARS it is cut on word boundaries
 * to a window that starts up to LEAD_CHARS before the name, with "…" where it was cut.
 */
export function snippetFor(text: string, boundaries: readonly number[], name: Span): string {
  let start = 0;
  let end = text.length;
  for (const b of boundaries) {
    if (b <= name.start) start = b;
    else if (b >= name.end) {
      end = b;
      break;
    }
  }
  if (end - start <= MAX_SNIPPET_CHARS) return collapse(text.slice(start, end));
  let from = Math.max(start, Math.min(name.start - LEAD_CHARS, end - MAX_SNIPPET_CHARS));
  let to = Math.min(end, from + MAX_SNIPPET_CHARS);
  if (from > start && !/\s/.test(text[from - 1] ?? ' ')) {
    const space = text.slice(from, name.start).search(/\s/);
    if (space !== -1) from += space;
  }
  if (to < end && !/\s/.test(text[to] ?? ' ')) {
    const space = text.slice(name.end, to).search(/\s\S*$/);
    if (space !== -1) to = name.end + space;
  }
  return `${from > start ? '…' : ''}${collapse(text.slice(from, to))}${to < end ? '…' : ''}`;
}

/** Whitespace collapsed, and a leading list bullet or heading mark dropped: layout, not the sentence. */
function collapse(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[-*+•]|#{1,6}) /, '');
}
