import { composeAnswer } from './answer.ts';
import { DEMO_BRANDS, type MockBrand } from './brands.ts';
import { hasOverview } from './flavours/google.ts';
import { flavourFor } from './flavours/index.ts';
import { DEFAULT_SEED } from './options.ts';
import { answerText, pageCitations } from './render.ts';

export interface ExpectedCitation {
  url: string;
  /** The link's visible text (its innerText): a chip's site name, or a sources panel's page title. */
  title: string;
}

export interface ExpectedCapture {
  /** Chromium's innerText of the answer element (preferred selector) once complete and, on Google, expanded. */
  answerText: string;
  /** In page order, hrefs exactly as the page has them (ChatGPT's and Gemini's `utm_source` included). */
  citations: ExpectedCitation[];
  /** The same citations with the selector file's `stripParams` removed: what an adapter should store. */
  strippedCitations: ExpectedCitation[];
  /** The model label the page shows, or null where the site shows none (Google). */
  model: string | null;
  /** Brand names in the order the answer first names them (by name, alias or possessive). */
  brands: string[];
}

/** The tracking parameters each site adds to cited links (the selector files' `stripParams`). */
const STRIP_PARAMS: Record<string, string[]> = { chatgpt: ['utm_source'], gemini: ['utm_source'] };

export interface ExpectedCaptureOptions {
  /** The mock's seed and brands (defaults: the mock's). */
  seed?: number;
  brands?: readonly MockBrand[];
  /**
   * Which ask of this question on this site (0-based); default 0: the first ask, and every ask of a mock
   * whose sampling is `fixed`.
   */
  sample?: number;
  /** The mock's sampleSeed; default: `seed`. */
  sampleSeed?: number;
}

/**
 * What an adapter should capture from the mock for `prompt` on `flavour` (a prefix such as "google", or
 * the adapter's source name such as "google_ai_overview"), given the mock's seeds and brands and the
 * sample. A Google query with `[[aio:none]]` has no overview: empty text, no citations.
 */
export function expectedCapture(
  flavour: string,
  prompt: string,
  options: ExpectedCaptureOptions = {},
): ExpectedCapture {
  const site = flavourFor(flavour);
  if (!site) throw new RangeError(`unknown mock flavour '${flavour}'`);
  if (site.name === 'google' && !hasOverview(prompt)) {
    return { answerText: '', citations: [], strippedCitations: [], model: null, brands: [] };
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const answer = composeAnswer(prompt, seed, options.brands ?? DEMO_BRANDS, site.name, {
    index: options.sample ?? 0,
    seed: options.sampleSeed ?? seed,
  });
  const citations = pageCitations(answer, site.markup);
  return {
    answerText: answerText(answer, site.markup),
    citations,
    strippedCitations: citations.map((c) => ({
      ...c,
      url: expectedStrippedUrl(c.url, STRIP_PARAMS[site.name] ?? []),
    })),
    model: site.model,
    brands: answer.brands,
  };
}

/**
 * What an adapter should store for a cited `url`: the URL without `params`. Written apart from the adapter's
 * own `stripParams` (src/platforms/capture.ts) so that tests check that one rather than repeat it.
 */
export function expectedStrippedUrl(url: string, params: readonly string[]): string {
  if (params.length === 0) return url;
  const parsed = new URL(url);
  for (const param of params) parsed.searchParams.delete(param);
  return parsed.href;
}
