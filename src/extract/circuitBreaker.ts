export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Opens after `failures` consecutive failures; while open, callers skip the LLM. After `cooldownMs` one
 * trial request goes through (half-open): success closes the breaker, failure opens it for another cooldown.
 */
export class CircuitBreaker {
  #consecutiveFailures = 0;
  #openedAt: number | undefined;
  #trialInFlight = false;

  readonly #failures: number;
  readonly #cooldownMs: number;
  readonly #onChange: (state: BreakerState) => void;

  constructor(failures: number, cooldownMs: number, onChange: (state: BreakerState) => void = () => {}) {
    this.#failures = failures;
    this.#cooldownMs = cooldownMs;
    this.#onChange = onChange;
  }

  get state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return Date.now() - this.#openedAt >= this.#cooldownMs ? 'half-open' : 'open';
  }

  /** May a request go out now? In half-open, only one trial at a time. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    const wasOpen = this.#openedAt !== undefined;
    this.#consecutiveFailures = 0;
    this.#openedAt = undefined;
    this.#trialInFlight = false;
    if (wasOpen) this.#onChange('closed');
  }

  /** The request ended neither way (a 429, an abort): a half-open trial may be tried again. */
  neutral(): void {
    this.#trialInFlight = false;
  }

  failure(): void {
    this.#consecutiveFailures += 1;
    const trialFailed = this.#trialInFlight;
    this.#trialInFlight = false;
    if (trialFailed || (this.#openedAt === undefined && this.#consecutiveFailures >= this.#failures)) {
      this.#openedAt = Date.now();
      this.#onChange('open');
    }
  }
}
