import type { Logger } from 'pino';
import type { Queryable } from '../db/queryable.ts';
import { BrandCatalog } from './brandCatalog.ts';
import { CircuitBreaker } from './circuitBreaker.ts';
import { Extractor } from './extractor.ts';
import { LlmBatcher, type LlmBatcherOptions } from './llmBatcher.ts';
import { LlmClient } from './llmClient.ts';
import type { LlmConfig } from './llmConfig.ts';
import { PostgresRateLimiter } from './rateLimiter.ts';

export interface ExtractorHooks {
  onRequest?: LlmBatcherOptions['onRequest'];
  onBreaker?: (open: boolean) => void;
}

/**
 * A worker's extractor: brands from the database, the LLM (when configured) behind its breaker and limit.
 * `readBrands` reads the brands now (the worker does at start-up, so that a database outage during its first
 * job finds them already read).
 */
export function createExtractor(
  db: Queryable,
  llm: LlmConfig | undefined,
  logger: Logger,
  hooks: ExtractorHooks = {},
): { extractor: Extractor; readBrands(): Promise<unknown>; close(): Promise<void> } {
  const catalog = new BrandCatalog(db);
  const readBrands = () => catalog.get();
  if (!llm) {
    return {
      extractor: new Extractor({ brands: readBrands, llm: undefined, logger }),
      readBrands,
      close: async () => {},
    };
  }
  const client = new LlmClient(llm);
  const breaker = new CircuitBreaker(llm.breakerFailures, llm.breakerCooldownMs, (state) => {
    hooks.onBreaker?.(state === 'open');
    const line = { event: `llm:breaker:${state}`, cooldown_ms: llm.breakerCooldownMs };
    if (state === 'open') {
      logger.error(line, 'LLM circuit breaker open: answers are extracted by rules and queued for reextract');
    } else logger.info(line, 'LLM circuit breaker closed');
  });
  const batcher = new LlmBatcher({
    client,
    breaker,
    limiter: llm.ratePerMin ? new PostgresRateLimiter(db, llm.ratePerMin) : undefined,
    batchSize: llm.batchSize,
    batchWaitMs: llm.batchWaitMs,
    maxRetries: llm.maxRetries,
    logger,
    onRequest: hooks.onRequest,
  });
  return {
    extractor: new Extractor({ brands: readBrands, llm: batcher, logger }),
    readBrands,
    close: async () => {
      await batcher.drain();
      await client.close();
    },
  };
}
