import { UsageError } from '../../usageError.ts';
import { checkRateSum, isKind, kindForRoll, parseRates } from '../faults.ts';
import { createRng, hashString, type Rng } from '../prng.ts';

/**
 * What can go wrong with a chat completion:
 * - `malformed`: HTTP 200 whose content is not a valid extraction reply (truncated JSON, then JSON of the
 *   wrong shape, alternating)
 * - `500`: a server error in OpenAI's error shape
 * - `slow`: a valid reply, `llmSlowMs` later than usual
 */
export const LLM_FAULT_KINDS = ['malformed', '500', 'slow'] as const;
export type LlmFaultKind = (typeof LLM_FAULT_KINDS)[number];
export type LlmFaultRates = Partial<Record<LlmFaultKind, number>>;

/** Parses `malformed=0.1,500=0.05,slow=0.2` (the `--llm-faults` text). */
export function parseLlmFaults(spec: string): LlmFaultRates {
  return parseRates(spec, LLM_FAULT_KINDS, '--llm-faults');
}

/** Checks rates given as an object (a JSON body, or `setLlmFaults`): known kinds, 0..1 each, sum <= 1. */
export function checkLlmFaults(value: unknown): LlmFaultRates {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('LLM fault rates must be an object such as {"500": 0.1}');
  }
  const rates: LlmFaultRates = {};
  for (const [kind, rate] of Object.entries(value)) {
    if (!isKind(LLM_FAULT_KINDS, kind)) {
      throw new UsageError(`unknown LLM fault '${kind}'; known: ${LLM_FAULT_KINDS.join(', ')}`);
    }
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw new UsageError(`LLM fault ${kind}: the rate must be a number from 0 to 1`);
    }
    rates[kind] = rate;
  }
  checkRateSum(rates, LLM_FAULT_KINDS, 'LLM fault');
  return rates;
}

/** Draws LLM faults from one seeded stream, so the same seed gives the same faults in the same order. */
export class LlmFaultDrawer {
  #rates: LlmFaultRates;
  readonly #rng: Rng;

  /** `rates` already checked (resolveOptions, setFaults). */
  constructor(rates: LlmFaultRates, seed: number) {
    this.#rates = { ...rates };
    this.#rng = createRng(hashString(`${seed}\u0000llm-faults`));
  }

  get rates(): LlmFaultRates {
    return { ...this.#rates };
  }

  /** Replaces the rates; the stream goes on where it was. */
  set(rates: LlmFaultRates): void {
    this.#rates = { ...rates };
  }

  draw(): LlmFaultKind | undefined {
    return kindForRoll(this.#rng.next(), this.#rates, LLM_FAULT_KINDS);
  }
}
