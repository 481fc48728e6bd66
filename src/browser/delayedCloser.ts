import type { BrowserContext } from 'playwright-core';
import { closeContext } from './browserProvider.ts';

/**
 * A finished job's context closes this much later, one at a time: tearing down its renderer costs CPU,
 * and jobs that end together would otherwise pay it just when the next jobs are submitting their prompts.
 */
export const CONTEXT_CLOSE_DELAY_MS = 3_000;

/** Closes released contexts a delay after their release, one at a time (shared mode). */
export class DelayedCloser {
  readonly #delayMs: number;
  readonly #closeMs: number;
  readonly #queue: { context: BrowserContext; due: number }[] = [];
  #closing = false;

  constructor(delayMs: number, closeMs: number) {
    this.#delayMs = delayMs;
    this.#closeMs = closeMs;
  }

  /** Closes `context` the delay from now, or later if others are still closing. */
  closeLater(context: BrowserContext): void {
    this.#queue.push({ context, due: Date.now() + this.#delayMs });
    if (this.#closing) return;
    this.#closing = true;
    void this.#closeDue();
  }

  /** Closes every waiting context now. */
  async closeAll(): Promise<void> {
    await Promise.all(this.#queue.splice(0).map(({ context }) => closeContext(context, this.#closeMs)));
  }

  async #closeDue(): Promise<void> {
    for (let next = this.#queue[0]; next; next = this.#queue[0]) {
      const wait = next.due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      // closeAll() may have taken the queue meanwhile
      if (this.#queue[0] !== next) continue;
      this.#queue.shift();
      await closeContext(next.context, this.#closeMs);
    }
    this.#closing = false;
  }
}
