import type { LlmExtractionReply, LlmExtractionRequest } from '../../extract/llmProtocol.ts';
import { escapeRegExp } from '../../extract/rules/brandMatcher.ts';
import type { MockBrand } from '../brands.ts';

type Sentiment = LlmExtractionReply['answers'][number]['mentions'][number]['sentiment'];

/*
 * The cues come from the templates in ../phrases.ts, so every template the mock writes resolves to a
 * sentiment a reader would agree with. A sentence with both kinds ("hard to beat, although … pricing climbs
 * quickly") reads as negative: the caveat is what the reader takes away.
 */
const NEGATIVE_CUES = ['dated', 'slow', 'climbs quickly', 'needs an admin'] as const;
const POSITIVE_CUES = [
  'most common recommendation',
  'safest pick',
  'on top',
  'strong option',
  'hard to beat',
  'tend to like',
  'popular',
  'good fit',
  'praise',
] as const;
/** A brand named first in a sentence with one of these is recommended ("start with X and compare it with Y"). */
const RECOMMENDING_CUES = [
  'start with',
  'safest pick',
  'most common recommendation',
  'comes out on top',
] as const;

const NEGATIVE = cueRegex(NEGATIVE_CUES);
const POSITIVE = cueRegex(POSITIVE_CUES);
const RECOMMENDING = cueRegex(RECOMMENDING_CUES);
/** Where a sentence ends: . ! ? before whitespace or the end, or a line break. */
const SENTENCE_END = /[.!?](?=\s|$)|\n/g;

/**
 * The mock LLM's extraction: deterministic, and right for the mock's own answers (it knows their
 * templates), never a real language model. Per answer:
 * - `mentions`: the tracked brands named by name or alias (case-insensitive, whole words), in order of
 *   first appearance, `brand` being the tracked name;
 * - `sentiment`: from the sentence of the first appearance (NEGATIVE_CUES win over POSITIVE_CUES, else
 *   neutral);
 * - `recommended`: the brand is the first brand the answer names, or is named first in a sentence with a
 *   RECOMMENDING_CUE;
 * - `other_brands`: brands of `knownBrands` (the mock's brand list) that are not tracked (names compared
 *   case-insensitively) and that the answer names, with their sentiment.
 */
export function extractReply(
  request: LlmExtractionRequest,
  knownBrands: readonly MockBrand[],
): LlmExtractionReply {
  const trackedNames = new Set(request.tracked_brands.map((b) => b.name.toLowerCase()));
  const matchers = [
    ...request.tracked_brands.map((b) => ({
      name: b.name,
      tracked: true,
      regex: termRegex([b.name, ...b.aliases]),
    })),
    ...knownBrands
      .filter((b) => !trackedNames.has(b.name.toLowerCase()))
      .map((b) => ({ name: b.name, tracked: false, regex: termRegex([b.name, ...(b.aliases ?? [])]) })),
  ];

  return {
    answers: request.answers.map(({ id, text }) => {
      const found = matchers
        .map(({ name, tracked, regex }) => ({
          name,
          tracked,
          spans: [...text.matchAll(regex)].map((m): Span => [m.index, m.index + m[0].length]),
        }))
        .filter((f) => f.spans.length > 0)
        .sort((a, b) => firstOf(a) - firstOf(b));
      const masked = maskSpans(
        text,
        found.flatMap((f) => f.spans),
      );
      const firstBrand = found[0];
      const sentimentAt = (f: Found) => sentimentOf(masked.slice(...sentenceBounds(masked, firstOf(f))));
      // the brand opens a sentence's list of brands, and the sentence recommends
      const recommendedIn = (f: Found) =>
        f.spans.some(([start]) => {
          const [from, to] = sentenceBounds(masked, start);
          const earlier = found.some((o) => o.spans.some(([s]) => s >= from && s < start));
          return !earlier && RECOMMENDING.test(masked.slice(from, to));
        });
      return {
        id,
        mentions: found
          .filter((f) => f.tracked)
          .map((f) => ({
            brand: f.name,
            sentiment: sentimentAt(f),
            recommended: f === firstBrand || recommendedIn(f),
          })),
        other_brands: found
          .filter((f) => !f.tracked)
          .map((f) => ({ name: f.name, sentiment: sentimentAt(f) })),
      };
    }),
  };
}

type Span = [start: number, end: number];

interface Found {
  name: string;
  tracked: boolean;
  /** Every place the answer names the brand, in text order. */
  spans: Span[];
}

function firstOf(found: Found): number {
  return found.spans[0]?.[0] ?? Number.POSITIVE_INFINITY;
}

/** The text with brand names blanked out, so "Act!" ends no sentence and "Popular CRM" is no praise. */
function maskSpans(text: string, spans: readonly Span[]): string {
  const chars = text.split(''); // UTF-16 units, as the match indices count
  for (const [start, end] of spans) chars.fill('x', start, end);
  return chars.join('');
}

function sentimentOf(sentence: string): Sentiment {
  if (NEGATIVE.test(sentence)) return 'negative';
  if (POSITIVE.test(sentence)) return 'positive';
  return 'neutral';
}

/** [from, to) of the sentence that holds `index`. */
function sentenceBounds(text: string, index: number): [number, number] {
  let from = 0;
  for (const end of text.matchAll(SENTENCE_END)) {
    if (end.index >= index) return [from, end.index + 1];
    from = end.index + 1;
  }
  return [from, text.length];
}

/** Any of the terms as a whole word, case-insensitive; longer terms first so "HubSpot CRM" wins over "HubSpot". */
function termRegex(terms: readonly string[]): RegExp {
  const alternatives = [...new Set(terms.map((t) => t.trim()).filter(Boolean))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

function cueRegex(cues: readonly string[]): RegExp {
  return new RegExp(`\\b(?:${cues.map(escapeRegExp).join('|')})\\b`, 'i');
}
