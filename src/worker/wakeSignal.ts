/**
 * Lets idle claim slots sleep until new work may be there. A slot arms itself before it claims, so a wake
 * that arrives while the claim runs is kept, and the following wait returns at once.
 */
export class WakeSignal {
  readonly #pending = new Set<number>();
  readonly #armed = new Set<number>();
  readonly #waiters = new Map<number, () => void>();

  arm(slot: number): void {
    this.#armed.add(slot);
    this.#pending.delete(slot);
  }

  disarm(slot: number): void {
    this.#armed.delete(slot);
    this.#pending.delete(slot);
  }

  fire(): void {
    for (const slot of this.#armed) this.#pending.add(slot);
    for (const wake of this.#waiters.values()) wake();
  }

  /** Resolves on the next fire() (or one since arm()), or after `timeoutMs`. */
  wait(slot: number, timeoutMs: number): Promise<void> {
    if (this.#pending.delete(slot)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#waiters;
      function done() {
        clearTimeout(timer);
        waiters.delete(slot);
        resolve();
      }
      this.#waiters.set(slot, done);
    });
  }
}
