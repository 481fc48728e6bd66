const WINDOW_MS = 60_000;

/**
 * At most `limit` requests in any sliding window of `WINDOW_MS`: the times of the requests let through
 * are kept until they leave the window. A refused request leaves no trace, as with OpenAI's limits.
 */
export class SlidingWindowLimit {
  readonly #limit: number | undefined;
  #admitted: number[] = [];

  /** `limit` undefined: no limit. */
  constructor(limit: number | undefined) {
    this.#limit = limit;
  }

  /** Lets a request through at `now` (epoch ms), or says in whole seconds (>= 1) when to retry. */
  admit(now: number): { admitted: true } | { admitted: false; retryAfterS: number } {
    if (this.#limit === undefined) return { admitted: true };
    while (this.#admitted.length > 0 && (this.#admitted[0] as number) <= now - WINDOW_MS)
      this.#admitted.shift();
    const oldest = this.#admitted[0];
    if (oldest !== undefined && this.#admitted.length >= this.#limit) {
      return { admitted: false, retryAfterS: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)) };
    }
    this.#admitted.push(now);
    return { admitted: true };
  }

  reset(): void {
    this.#admitted = [];
  }
}
