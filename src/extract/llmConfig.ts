/** How the worker reaches an OpenAI-compatible /chat/completions endpoint (LLM_* environment variables). */
export interface LlmConfig {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama); the request goes to <base>/chat/completions. */
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  /** Requests per minute across all worker processes together; undefined = no limit. */
  ratePerMin: number | undefined;
  /** Answers per request. */
  batchSize: number;
  /** How long the first answer of a batch waits for others. */
  batchWaitMs: number;
  /** Per request. */
  timeoutMs: number;
  /** Retries of a failed request (5xx, timeout, 429) before the rules stand in. */
  maxRetries: number;
  /** Consecutive failed requests that open the circuit breaker. */
  breakerFailures: number;
  /** How long the breaker stays open before one trial request. */
  breakerCooldownMs: number;
}

export const LLM_DEFAULTS = {
  model: 'gpt-4o-mini',
  batchSize: 8,
  batchWaitMs: 500,
  timeoutMs: 60_000,
  maxRetries: 3,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
} as const;
