import type { MockBrand } from './brands.ts';
import { ALIAS_BODIES, BODIES, CLOSINGS, INTROS, LEADS, possessive } from './phrases.ts';
import { rngFor } from './prng.ts';
import { answerProfile, type BrandOdds, sampleBrands } from './profile.ts';
import { type AnswerCitation, brandPage, brandReview, roundupPage } from './sources.ts';

/** A run of text (bold when `strong`), or a reference to `citations[citation]`. */
export type Segment = { kind: 'text'; text: string; strong?: boolean } | { kind: 'cite'; citation: number };

/** An answer before any site's markup: paragraphs of segments, and the pages they cite in order. */
export interface ComposedAnswer {
  paragraphs: Segment[][];
  /** In order of first appearance; no URL twice. */
  citations: AnswerCitation[];
  /** Brand names in the order the answer first names them. */
  brands: string[];
}

/** Fault markers such as `[[fault:half]]` steer the mock; they are not part of the question. */
export function questionOf(prompt: string): string {
  return prompt
    .replace(/\[\[[a-z]+:[a-z0-9]+\]\]/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The site's stable view of the question (`prompt` without its fault markers): see answerProfile. */
export function questionProfile(
  prompt: string,
  seed: number,
  brands: readonly MockBrand[],
  site?: string,
): BrandOdds[] {
  return answerProfile(brands, rngFor(seed, 'profile', ...(site ? [site] : []), questionOf(prompt)));
}

/** Which answer to a question on a site: the `index`-th ask (0-based), its draws seeded by `seed`. */
export interface Sample {
  index: number;
  seed: number;
}

/**
 * The answer the mock gives to `prompt`: derived from the prompt, the seeds, the site and the sample alone,
 * so a test can compute it too. The seed and the site give the question a stable profile (each brand's
 * likelihood of being named, its usual rank; without `site`: a site-neutral one); each sample draws from
 * it, as real assistants answer a question differently each time: which brands (3–6), their order, the
 * wording (by name, alias or possessive, some twice) and the pages cited (their sites, neutral pages).
 * Sample 0 of seed `seed` by default.
 */
export function composeAnswer(
  prompt: string,
  seed: number,
  brands: readonly MockBrand[],
  site?: string,
  sample: Sample = { index: 0, seed },
): ComposedAnswer {
  const question = questionOf(prompt);
  const rng = rngFor(sample.seed, 'answer', ...(site ? [site] : []), question, String(sample.index));
  const chosen = sampleBrands(questionProfile(prompt, seed, brands, site), rng);
  const citations: AnswerCitation[] = [];
  const cite = (citation: AnswerCitation | undefined): Segment[] => {
    if (!citation || citations.some((c) => c.url === citation.url)) return [];
    citations.push(citation);
    return [{ kind: 'cite', citation: citations.length - 1 }];
  };

  const paragraphs: Segment[][] = [];
  const top = chosen[0];
  const intro = fill(rng.pick(INTROS), undefined);
  paragraphs.push(top && rng.chance(0.6) ? [...intro, ...cite(roundupPage(question, top, rng))] : intro);

  chosen.forEach((brand, index) => {
    const useAlias = (brand.aliases?.length ?? 0) > 0 && rng.chance(0.35);
    const template =
      index === 0 ? rng.pick(LEADS) : useAlias && rng.chance(0.5) ? rng.pick(ALIAS_BODIES) : rng.pick(BODIES);
    const segments = fill(template, brand, {
      useAlias,
      alias: rng.pick(brand.aliases?.length ? brand.aliases : [brand.name]),
    });
    if (rng.chance(0.55)) segments.push(...cite(brandPage(brand, rng)));
    if (rng.chance(0.35)) segments.push(...cite(brandReview(brand, rng)));
    paragraphs.push(segments);
  });

  if (top && citations.length === 0)
    paragraphs[1]?.push(...cite(brandPage(top, rng) ?? brandReview(top, rng)));
  const runnerUp = chosen[1];
  if (top && runnerUp) paragraphs.push(fill(rng.pick(CLOSINGS), top, { other: runnerUp }));

  return { paragraphs, citations, brands: chosen.map((b) => b.name) };
}

interface FillOptions {
  useAlias?: boolean;
  alias?: string;
  other?: MockBrand;
}

/** Expands a template's placeholders into text segments; **{B}** becomes a bold segment. */
function fill(template: string, brand: MockBrand | undefined, options: FillOptions = {}): Segment[] {
  const name = brand?.name ?? '';
  const alias = options.alias ?? name;
  const values: Record<string, string> = {
    B: options.useAlias ? alias : name,
    N: name,
    P: possessive(name),
    A: alias,
    O: options.other?.name ?? '',
  };
  const segments: Segment[] = [];
  for (const part of template.split(/(\*\*\{[A-Z]\}\*\*)/)) {
    const bold = /^\*\*\{([A-Z])\}\*\*$/.exec(part);
    const text = bold
      ? (values[bold[1] as string] ?? '')
      : part.replace(/\{([A-Z])\}/g, (_, key: string) => values[key] ?? '');
    if (text) segments.push(bold ? { kind: 'text', text, strong: true } : { kind: 'text', text });
  }
  return segments;
}
