import { UsageError } from '../usageError.ts';
import { createRng, hashString, type Rng } from './prng.ts';

/**
 * What can go wrong with an answer, as the browser sees it:
 * - `429`: a rate-limit page with HTTP 429 and `Retry-After: 30`
 * - `captcha`: a Cloudflare interstitial (Google's `/sorry/` page on Google and Gemini)
 * - `login`: the site's login wall
 * - `hang`: the answer stops streaming and never completes; the stop control stays
 * - `half`: the stream ends midway; the stop control goes, no finished marker comes
 * - `500`: a server error page with HTTP 500
 * - `blank`: an empty page with HTTP 200
 */
export const FAULT_KINDS = ['429', 'captcha', 'login', 'hang', 'half', '500', 'blank'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRates = Partial<Record<FaultKind, number>>;

export function isFaultKind(value: string): value is FaultKind {
  return isKind(FAULT_KINDS, value);
}

/** Parses `429=0.1,captcha=0.05`: a rate from 0 to 1 per kind, adding up to at most 1. */
export function parseFaults(spec: string): FaultRates {
  return parseRates(spec, FAULT_KINDS, '--faults');
}

export function checkRates(rates: FaultRates): void {
  checkRateSum(rates, FAULT_KINDS, '--faults');
}

/**
 * Parses `kind=rate,...` for any list of kinds (the page faults here, the mock LLM's faults too); `flag`
 * names the option in the messages.
 */
export function parseRates<K extends string>(
  spec: string,
  kinds: readonly K[],
  flag: string,
): Partial<Record<K, number>> {
  const rates: Partial<Record<K, number>> = {};
  for (const item of spec.split(',').map((s) => s.trim())) {
    if (!item) continue;
    const [kind = '', value = ''] = item.split('=').map((s) => s.trim());
    if (!isKind(kinds, kind)) {
      throw new UsageError(`unknown fault '${kind}' in ${flag}; known: ${kinds.join(', ')}`);
    }
    const rate = Number(value);
    if (value === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new UsageError(`${flag} ${kind}=${value}: the rate must be a number from 0 to 1`);
    }
    rates[kind] = rate;
  }
  checkRateSum(rates, kinds, flag);
  return rates;
}

export function checkRateSum<K extends string>(
  rates: Partial<Record<K, number>>,
  kinds: readonly K[],
  flag: string,
): void {
  const total = kinds.reduce((sum, kind) => sum + (rates[kind] ?? 0), 0);
  if (total > 1 + 1e-9) {
    throw new UsageError(`${flag} rates add up to ${total.toFixed(3)}; they must add up to at most 1`);
  }
}

/** The kind whose share of [0, 1) holds `roll` (kinds in list order), or undefined past the last one. */
export function kindForRoll<K extends string>(
  roll: number,
  rates: Partial<Record<K, number>>,
  kinds: readonly K[],
): K | undefined {
  let edge = 0;
  for (const kind of kinds) {
    edge += rates[kind] ?? 0;
    if (roll < edge) return kind;
  }
  return undefined;
}

export function isKind<K extends string>(kinds: readonly K[], value: string): value is K {
  return (kinds as readonly string[]).includes(value);
}

/** The fault a prompt asks for with `[[fault:<kind>]]`, which always wins over the drawn rates. */
export function faultInPrompt(prompt: string): FaultKind | undefined {
  const match = /\[\[fault:([a-z0-9]+)\]\]/i.exec(prompt);
  const kind = match?.[1]?.toLowerCase();
  return kind && isFaultKind(kind) ? kind : undefined;
}

/**
 * Draws faults from the rates with one seeded generator per flavour, so a run of N answers on one
 * flavour sees the same faults in the same order, whatever the other flavours do meanwhile.
 */
export class FaultDrawer {
  readonly #rates: FaultRates;
  readonly #seed: number;
  readonly #streams = new Map<string, Rng>();

  constructor(rates: FaultRates, seed: number) {
    checkRates(rates);
    this.#rates = rates;
    this.#seed = seed;
  }

  /** The fault for the next answer on `flavour`, or undefined for a healthy answer. */
  draw(flavour: string, prompt: string): FaultKind | undefined {
    const forced = faultInPrompt(prompt);
    if (forced) return forced;
    let rng = this.#streams.get(flavour);
    if (!rng) {
      rng = createRng(hashString(`${this.#seed}\u0000faults\u0000${flavour}`));
      this.#streams.set(flavour, rng);
    }
    return kindForRoll(rng.next(), this.#rates, FAULT_KINDS);
  }
}
