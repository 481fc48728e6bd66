import type { ResolvedOptions } from './options.ts';
import { rngFor } from './prng.ts';

/**
 * This prompt's answer latency: latencyMs spread uniformly over ±latencyJitter, drawn from the seed and the
 * prompt, so the same prompt always takes as long and the mean stays latencyMs.
 */
export function answerLatency(
  config: Pick<ResolvedOptions, 'latencyMs' | 'latencyJitter' | 'seed'>,
  prompt: string,
) {
  if (config.latencyJitter === 0) return config.latencyMs;
  const spread = rngFor(config.seed, 'latency', prompt).next() * 2 - 1;
  return Math.round(config.latencyMs * (1 + config.latencyJitter * spread));
}
