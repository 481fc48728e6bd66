import { questionOf } from './answer.ts';

/** `varied`: each ask of a question on a site is the next sample; `fixed`: every ask gets sample 0. */
export const SAMPLINGS = ['varied', 'fixed'] as const;
export type Sampling = (typeof SAMPLINGS)[number];

/**
 * Numbers the asks of each question per site (0, 1, 2, ...), so the same seed and the same order of asks
 * give the same answers. A fault marker does not make another question: `q [[fault:half]]` is a sample of `q`.
 */
export class SampleCounter {
  readonly #fixed: boolean;
  readonly #asked = new Map<string, number>();

  constructor(sampling: Sampling) {
    this.#fixed = sampling === 'fixed';
  }

  /** The sample index of this ask of `prompt` on `site`. */
  next(site: string, prompt: string): number {
    if (this.#fixed) return 0;
    const key = `${site}\u0000${questionOf(prompt)}`;
    const index = this.#asked.get(key) ?? 0;
    this.#asked.set(key, index + 1);
    return index;
  }
}
