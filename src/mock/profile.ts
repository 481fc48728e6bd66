import type { MockBrand } from './brands.ts';
import type { Rng } from './prng.ts';

/** How one site regards one brand for one question. */
export interface BrandOdds {
  brand: MockBrand;
  /** The share of samples that name the brand, before the 3–6 bounds of an answer. */
  likelihood: number;
  /** Where it usually comes in the answer (0: first); each sample moves it a little. */
  rank: number;
}

/** An answer names at least this many brands when the list has them, and at most MAX_NAMED. */
const MIN_NAMED = 3;
const MAX_NAMED = 6;
/** How far a sample moves a brand from its typical rank, at most: enough to swap neighbours often. */
const RANK_SPREAD = 1.6;

/**
 * A site's stable view of a question, drawn from `rng` (seeded by the seed, the site and the question): the
 * brands from likeliest to least likely to be named, as real assistants have favourites per question.
 * The favourite is named in 88–98% of samples, each next one 0.70–0.88 times as often, none below 4%.
 */
export function answerProfile(brands: readonly MockBrand[], rng: Rng): BrandOdds[] {
  const top = 0.88 + 0.1 * rng.next();
  const decay = 0.7 + 0.18 * rng.next();
  return rng.shuffle(brands).map((brand, index) => ({
    brand,
    likelihood: Math.max(0.04, top * decay ** index),
    // likelihood and position go together, not in lockstep: a likely brand may usually come second
    rank: index + (rng.next() - 0.5) * 1.5,
  }));
}

/**
 * One sample from a profile: each brand named with its likelihood (the likeliest of the rest fill up to
 * three; past six, the least likely go), in the order of its typical rank moved by a random step.
 */
export function sampleBrands(profile: readonly BrandOdds[], rng: Rng): MockBrand[] {
  const drawn = profile.filter((odds) => rng.chance(odds.likelihood));
  const missing = Math.min(MIN_NAMED, profile.length) - drawn.length;
  const named =
    missing > 0
      ? [...drawn, ...profile.filter((odds) => !drawn.includes(odds)).slice(0, missing)]
      : drawn.slice(0, MAX_NAMED);
  return named
    .map((odds) => ({ brand: odds.brand, at: odds.rank + (rng.next() + rng.next() - 1) * RANK_SPREAD }))
    .sort((a, b) => a.at - b.at)
    .map((placed) => placed.brand);
}
