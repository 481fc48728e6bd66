import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { CircuitBreaker } from './circuitBreaker.ts';
import type { LlmClient } from './llmClient.ts';
import { LlmCircuitOpenError, LlmError, LlmMalformedReplyError, LlmRateLimitedError } from './llmErrors.ts';
import type { LlmExtractionReply, LlmExtractionRequest } from './llmProtocol.ts';
import type { PostgresRateLimiter } from './rateLimiter.ts';

export type LlmAnswer = LlmExtractionReply['answers'][number];
type TrackedBrands = LlmExtractionRequest['tracked_brands'];

interface Pending {
  text: string;
  brands: TrackedBrands;
  /** Items share a request only when they track the same brands. */
  brandsKey: string;
  signal: AbortSignal | undefined;
  resolve(answer: LlmAnswer): void;
  reject(error: unknown): void;
}

export interface LlmBatcherOptions {
  client: Pick<LlmClient, 'extract'>;
  breaker: CircuitBreaker;
  /** undefined: no rate limit. */
  limiter: Pick<PostgresRateLimiter, 'reserve'> | undefined;
  batchSize: number;
  batchWaitMs: number;
  maxRetries: number;
  logger: Logger;
  /** Called once per HTTP request with its outcome (for metrics). */
  onRequest?: (outcome: 'ok' | 'rate_limited' | 'failed' | 'malformed') => void;
}

/**
 * Answers waiting for the LLM share one request: the first answer of a batch waits up to batchWaitMs (or
 * until batchSize are waiting), and under a rate limit the batch also waits for its reserved slot, gathering
 * whatever arrives meanwhile. Each caller gets its own answer back, or the LlmError that stopped it.
 */
export class LlmBatcher {
  readonly #pending: Pending[] = [];
  #forming = false;
  #batchFull: (() => void) | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  readonly #options: LlmBatcherOptions;

  constructor(options: LlmBatcherOptions) {
    this.#options = options;
  }

  submit(text: string, brands: TrackedBrands, signal?: AbortSignal): Promise<LlmAnswer> {
    signal?.throwIfAborted();
    return new Promise<LlmAnswer>((resolve, reject) => {
      const item: Pending = { text, brands, brandsKey: this.#keyOf(brands), signal, resolve, reject };
      this.#pending.push(item);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.#pending.indexOf(item);
          if (index >= 0) this.#pending.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      if (this.#pending.length >= this.#options.batchSize) this.#batchFull?.();
      if (!this.#forming) void this.#form();
    });
  }

  /** The batching key of a brand list, made once per list (callers hand the same list over and over). */
  readonly #keys = new WeakMap<TrackedBrands, string>();
  #keyOf(brands: TrackedBrands): string {
    let key = this.#keys.get(brands);
    if (key === undefined) {
      key = JSON.stringify(brands);
      this.#keys.set(brands, key);
    }
    return key;
  }

  /** Waits for requests already sent. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #form(): Promise<void> {
    this.#forming = true;
    try {
      while (this.#pending.length > 0) {
        if (!this.#options.breaker.allow()) {
          this.#failAll(new LlmCircuitOpenError('the LLM circuit breaker is open'));
          return;
        }
        const started = Date.now();
        const slotWait = this.#options.limiter ? await this.#reserve() : 0;
        if (slotWait === undefined) continue;
        await this.#gather(this.#options.batchWaitMs - (Date.now() - started));
        const remaining = slotWait - (Date.now() - started);
        if (remaining > 0) await sleep(remaining);
        const batch = this.#take();
        if (batch.length === 0) {
          this.#options.breaker.neutral();
          continue;
        }
        const sending = this.#send(batch).finally(() => this.#inFlight.delete(sending));
        this.#inFlight.add(sending);
      }
    } finally {
      this.#forming = false;
    }
  }

  /** A slot, or undefined (after failing the waiting items) when the database cannot give one. */
  async #reserve(): Promise<number | undefined> {
    try {
      return await (this.#options.limiter as Pick<PostgresRateLimiter, 'reserve'>).reserve();
    } catch (error) {
      this.#options.breaker.neutral();
      this.#options.logger.warn({ event: 'llm:rate_limit:failed', err: error }, 'cannot reserve an LLM slot');
      this.#failAll(new LlmError(`cannot reserve an LLM request slot: ${(error as Error).message}`));
      return undefined;
    }
  }

  /** Resolves when a batch is full or after `ms`. */
  async #gather(ms: number): Promise<void> {
    if (ms <= 0 || this.#pending.length >= this.#options.batchSize) return;
    const controller = new AbortController();
    const full = new Promise<void>((resolve) => {
      this.#batchFull = resolve;
    });
    await Promise.race([full, sleep(ms, undefined, { signal: controller.signal }).catch(() => {})]);
    controller.abort();
    this.#batchFull = undefined;
  }

  #take(): Pending[] {
    const first = this.#pending[0];
    if (!first) return [];
    const batch: Pending[] = [];
    for (let i = 0; i < this.#pending.length && batch.length < this.#options.batchSize; ) {
      const item = this.#pending[i] as Pending;
      if (item.brandsKey === first.brandsKey) {
        batch.push(item);
        this.#pending.splice(i, 1);
      } else i += 1;
    }
    return batch;
  }

  async #send(batch: Pending[]): Promise<void> {
    const { breaker, client, logger } = this.#options;
    const request: LlmExtractionRequest = {
      tracked_brands: (batch[0] as Pending).brands,
      answers: batch.map((item, index) => ({ id: String(index), text: item.text })),
    };
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#options.maxRetries; attempt += 1) {
      if (attempt > 0) {
        const rateLimited = lastError instanceof LlmRateLimitedError;
        if (!rateLimited && !breaker.allow()) break;
        const slotWait = this.#options.limiter ? await this.#options.limiter.reserve().catch(() => 0) : 0;
        await sleep(
          Math.max(
            lastError instanceof LlmRateLimitedError ? lastError.retryAfterMs : 250 * 2 ** attempt,
            slotWait,
          ),
        );
      }
      try {
        const reply = await client.extract(request);
        breaker.success();
        this.#options.onRequest?.('ok');
        batch.forEach((item, index) => {
          const answer = reply.answers.find((a) => a.id === String(index));
          if (answer) item.resolve(answer);
          else item.reject(new LlmMalformedReplyError(`the LLM reply has no entry for answer ${index}`));
        });
        return;
      } catch (error) {
        lastError = error;
        if (error instanceof LlmRateLimitedError) {
          breaker.neutral();
          this.#options.onRequest?.('rate_limited');
          logger.warn({ event: 'llm:rate_limited', retry_after_ms: error.retryAfterMs }, error.message);
          continue;
        }
        breaker.failure();
        this.#options.onRequest?.(error instanceof LlmMalformedReplyError ? 'malformed' : 'failed');
        logger.warn(
          { event: 'llm:request:failed', err: error, attempt, answers: batch.length },
          'LLM request failed',
        );
        if (!(error instanceof LlmError) || !error.retryable) break;
      }
    }
    for (const item of batch) item.reject(lastError);
  }

  #failAll(error: Error): void {
    for (const item of this.#pending.splice(0)) item.reject(error);
  }
}
