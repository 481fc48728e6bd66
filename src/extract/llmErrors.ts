/** What went wrong talking to the LLM; LlmBatcher tells these apart (retry, wait for Retry-After, give up). */
export class LlmError extends Error {
  override name = 'LlmError';
  /** Worth sending again (after a pause). */
  readonly retryable: boolean = true;
}

/** 429: wait `retryAfterMs` (from Retry-After) and try again; the endpoint is healthy, only busy. */
export class LlmRateLimitedError extends LlmError {
  override name = 'LlmRateLimitedError';
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx or a dropped connection: worth retrying a few times. */
export class LlmServerError extends LlmError {
  override name = 'LlmServerError';
}

/** No reply within LLM_TIMEOUT_MS. */
export class LlmTimeoutError extends LlmError {
  override name = 'LlmTimeoutError';
}

/** A reply that is not JSON of the extraction schema: never trusted, never retried as is. */
export class LlmMalformedReplyError extends LlmError {
  override name = 'LlmMalformedReplyError';
  override readonly retryable = false;
}

/** 4xx other than 429: a bad key, an unknown model, a bad base URL. Retrying will not help. */
export class LlmRequestRejectedError extends LlmError {
  override name = 'LlmRequestRejectedError';
  override readonly retryable = false;
}

/** The circuit breaker is open: the LLM was not asked at all. */
export class LlmCircuitOpenError extends LlmError {
  override name = 'LlmCircuitOpenError';
}
