import type { BrandMention } from '../../job/result.ts';
import type { TrackedBrand } from '../types.ts';
import type { BrandMatch, Span } from './brandMatcher.ts';
import { sentenceBoundaries, snippetFor } from './snippet.ts';

/**
 * One mention per brand named, ordered by its first naming (position 1 = named first), with how often it
 * is named and the sentence of its first naming. Sentiment and recommendation are left to the LLM.
 */
export function mentionsOf(
  text: string,
  matches: readonly BrandMatch[],
  brands: readonly TrackedBrand[],
  urls: readonly Span[],
): BrandMention[] {
  if (matches.length === 0) return [];
  const boundaries = sentenceBoundaries(text, matches, urls);
  const byBrand = new Map<number, { first: BrandMatch; count: number }>();
  for (const match of matches) {
    const seen = byBrand.get(match.brand);
    if (seen) seen.count += 1;
    else byBrand.set(match.brand, { first: match, count: 1 });
  }
  // A Map iterates in insertion order, which is the order of first naming.
  return [...byBrand.values()].map(({ first, count }, index) => {
    const brand = brands[first.brand] as TrackedBrand;
    return {
      brandId: brand.id,
      brandName: brand.name,
      position: index + 1,
      mentionCount: count,
      snippet: snippetFor(text, boundaries, first),
    };
  });
}
