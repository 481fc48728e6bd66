import type { TrackedBrand } from '../types.ts';
import { foldName, foldText } from './foldText.ts';
import { UNSPACED, WORD_CHAR } from './scripts.ts';

/** A brand named in a text: `brand` indexes the brand list; offsets are in the original text. */
export interface BrandMatch {
  brand: number;
  start: number;
  end: number;
}

/** A stretch of the text that names no brand (a URL). */
export interface Span {
  start: number;
  end: number;
}

export interface BrandMatcher {
  /** Every naming of a tracked brand in `text`, in order, none overlapping, none inside `masked` (sorted). */
  find(text: string, masked: readonly Span[]): BrandMatch[];
}

/** Stands in for masked characters: neither a letter, a digit nor whitespace, so no name spans it. */
const MASK = '\u0000';

/** Scripts written without spaces between words; next to them, a name needs no space to stand alone. */
const UNSPACED_CHAR = new RegExp(UNSPACED, 'v');

/**
 * Folded names as one pattern, longest first so that at any one position the alternation picks the
 * longest. A space matches any run of whitespace. A letter or digit right before or after rejects a
 * match, unless it is of an unspaced script ("HubSpotがおすすめ" names HubSpot) or the name's own edge
 * is (a Han name is found inside a run of Han). The check before is shared by all names that need it,
 * so most positions inside words are rejected at once.
 */
function namesPattern(names: readonly string[]): RegExp {
  const sorted = [...names].sort((a, b) => b.length - a.length);
  const body = (name: string) => {
    const words = name.split(' ').map(escapeRegExp).join(String.raw`\s+`);
    return UNSPACED_CHAR.test(name.at(-1) ?? '') ? words : `${words}(?!${WORD_CHAR})`;
  };
  const bounded = sorted.filter((name) => !UNSPACED_CHAR.test(name.at(0) ?? ''));
  const unbounded = sorted.filter((name) => UNSPACED_CHAR.test(name.at(0) ?? ''));
  const groups = [
    bounded.length > 0 ? `(?<!${WORD_CHAR})(?:${bounded.map(body).join('|')})` : '',
    unbounded.length > 0 ? `(?:${unbounded.map(body).join('|')})` : '',
  ];
  return new RegExp(groups.filter(Boolean).join('|'), 'gv');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * Compiles the names and aliases of `brands` into one pattern. Names are folded (case, accents) and
 * match whole words only ("Notion" is not in "notional"). A name shared by two brands counts for the
 * first in the list.
 */
export function compileBrandMatcher(brands: readonly TrackedBrand[]): BrandMatcher {
  const owner = new Map<string, number>();
  brands.forEach((brand, index) => {
    for (const name of [brand.name, ...brand.aliases]) {
      const key = foldName(name).trim().replace(/\s+/g, ' ');
      if (key && !owner.has(key)) owner.set(key, index);
    }
  });
  if (owner.size === 0) return { find: () => [] };
  const pattern = namesPattern([...owner.keys()]);

  return {
    find(text, masked) {
      const { folded, origin } = foldText(maskSpans(text, masked));
      const candidates: BrandMatch[] = [];
      pattern.lastIndex = 0;
      for (let m = pattern.exec(folded); m; m = pattern.exec(folded)) {
        const brand = owner.get(m[0].replace(/\s+/g, ' '));
        if (brand !== undefined) candidates.push({ brand, start: m.index, end: m.index + m[0].length });
        // Resume inside this match: a longer name may start in it
        // ("Sales CRM Suite" inside "Zoho Sales CRM Suite").
        pattern.lastIndex = m.index + 1;
      }
      return longestFirst(candidates, folded.length).map((c) => ({
        brand: c.brand,
        start: origin[c.start] ?? 0,
        end: origin[c.end] ?? text.length,
      }));
    },
  };
}

/** `text` with each span's characters replaced by MASK, so offsets stay the same. */
function maskSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const span of spans) {
    parts.push(text.slice(at, span.start), MASK.repeat(span.end - span.start));
    at = span.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Where matches overlap the longest wins (then the earliest); the winners, in text order. */
function longestFirst(candidates: BrandMatch[], length: number): BrandMatch[] {
  const taken = new Uint8Array(length);
  const kept: BrandMatch[] = [];
  const byLength = [...candidates].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  for (const candidate of byLength) {
    if (taken.subarray(candidate.start, candidate.end).some((t) => t === 1)) continue;
    taken.fill(1, candidate.start, candidate.end);
    kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}
