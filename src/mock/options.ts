import type { Logger } from '../observe/logger.ts';
import { DEMO_BRANDS, type MockBrand } from './brands.ts';
import { checkRates, type FaultRates, parseFaults } from './faults.ts';
import { checkLlmFaults, type LlmFaultRates, parseLlmFaults } from './llm/faults.ts';
import { SAMPLINGS, type Sampling } from './samples.ts';

export interface MockPlatformOptions {
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long an answer takes to stream, start to finish. Default 1500. */
  latencyMs?: number;
  /**
   * Spread of the latency, 0..1: each answer takes latencyMs × (1 ± jitter), drawn per prompt and seed,
   * so answers finish at different times as real ones do; the mean stays latencyMs. Default 0.
   */
  latencyJitter?: number;
  /** Fault rates per kind (0..1), or the `--faults` text `429=0.1,captcha=0.05`. Default none. */
  faults?: FaultRates | string;
  /**
   * Seeds each site's profile of each question (which brands it favours), the answers and the fault draws.
   * Default 1.
   */
  seed?: number;
  /**
   * Seeds the samples drawn from the profiles instead of `seed`: another value asks the same market anew,
   * as a second tracking round would (the demo passes a fresh one per run). Default: `seed`.
   */
  sampleSeed?: number;
  /** `varied` (default): asking a question again on a site gives the next sample; `fixed`: sample 0 always. */
  sampling?: Sampling;
  /** Brands the answers mention. Default: DEMO_BRANDS (CRM tools). */
  brands?: readonly MockBrand[];
  /** POST /v1/chat/completions: at most this many requests let through in any 60 s. Default: no limit. */
  llmRatePerMin?: number;
  /** How long a chat completion takes. Default 50. */
  llmLatencyMs?: number;
  /** LLM fault rates (0..1), or the `--llm-faults` text `malformed=0.1,500=0.05,slow=0.2`. Default none. */
  llmFaults?: LlmFaultRates | string;
  /** How much longer a `slow` fault takes. Default 30000. */
  llmSlowMs?: number;
  /** When set, chat completions need `Authorization: Bearer <llmApiKey>` (401 otherwise). */
  llmApiKey?: string;
  logger?: Logger;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  latencyMs: number;
  latencyJitter: number;
  faults: FaultRates;
  seed: number;
  sampleSeed: number;
  sampling: Sampling;
  brands: readonly MockBrand[];
  llmRatePerMin: number | undefined;
  llmLatencyMs: number;
  llmFaults: LlmFaultRates;
  llmSlowMs: number;
  llmApiKey: string | undefined;
  logger?: Logger;
}

export const DEFAULT_PORT = 4010;
export const DEFAULT_LATENCY_MS = 1500;
export const DEFAULT_SEED = 1;
export const DEFAULT_LLM_LATENCY_MS = 50;
export const DEFAULT_LLM_SLOW_MS = 30_000;

export function resolveOptions(options: MockPlatformOptions = {}): ResolvedOptions {
  const faults = typeof options.faults === 'string' ? parseFaults(options.faults) : (options.faults ?? {});
  checkRates(faults);
  const latencyMs = nonNegative('latencyMs', options.latencyMs ?? DEFAULT_LATENCY_MS);
  const latencyJitter = options.latencyJitter ?? 0;
  if (!(latencyJitter >= 0 && latencyJitter <= 1)) {
    throw new RangeError(`latencyJitter must be from 0 to 1, got ${latencyJitter}`);
  }
  const llmRatePerMin = options.llmRatePerMin;
  if (llmRatePerMin !== undefined && !(Number.isSafeInteger(llmRatePerMin) && llmRatePerMin >= 1)) {
    throw new RangeError(`llmRatePerMin must be a whole number >= 1, got ${llmRatePerMin}`);
  }
  const llmFaults =
    typeof options.llmFaults === 'string'
      ? parseLlmFaults(options.llmFaults)
      : checkLlmFaults(options.llmFaults ?? {});
  const sampling = options.sampling ?? 'varied';
  if (!SAMPLINGS.includes(sampling)) {
    throw new RangeError(`sampling must be one of ${SAMPLINGS.join(', ')}, got '${sampling}'`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const brands = options.brands ?? DEMO_BRANDS;
  if (brands.length === 0) throw new RangeError('brands must name at least one brand');
  return {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '127.0.0.1',
    latencyMs,
    latencyJitter,
    faults,
    seed,
    sampleSeed: options.sampleSeed ?? seed,
    sampling,
    brands,
    llmRatePerMin,
    llmLatencyMs: nonNegative('llmLatencyMs', options.llmLatencyMs ?? DEFAULT_LLM_LATENCY_MS),
    llmFaults,
    llmSlowMs: nonNegative('llmSlowMs', options.llmSlowMs ?? DEFAULT_LLM_SLOW_MS),
    llmApiKey: options.llmApiKey || undefined,
    ...(options.logger ? { logger: options.logger } : {}),
  };
}

function nonNegative(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be >= 0, got ${ms}`);
  return ms;
}
