import type { Logger } from 'pino';
import { withTimeout } from '../browser/withTimeout.ts';

/** How long one clean-up step may take before the worker gives up on it and goes on. */
export const CLEANUP_STEP_TIMEOUT_MS = 15_000;
/** How long the process may stay alive after clean-up before the worker names what holds it and exits. */
export const LINGER_TIMEOUT_MS = 5_000;

interface Step {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * A worker's clean-up: steps run last-added first (what started last stops first), each given a deadline.
 * A step that fails or overruns is logged by name and left behind, so that the steps after it still run and
 * a worker never hangs at exit on one stuck close (a pool waiting for a client, a browser that will not quit).
 */
export class Cleanup {
  readonly #steps: Step[] = [];
  readonly #logger: Logger;
  readonly #stepTimeoutMs: number;

  constructor(logger: Logger, stepTimeoutMs = CLEANUP_STEP_TIMEOUT_MS) {
    this.#logger = logger;
    this.#stepTimeoutMs = stepTimeoutMs;
  }

  /** `name` says what the step does ("close the browser"): it is what the log shows if the step gets stuck. */
  add(name: string, run: () => Promise<unknown>): void {
    this.#steps.push({ name, run });
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      this.#logger.debug({ event: 'shutdown:step', step: step.name }, `shutdown: ${step.name}`);
      try {
        await withTimeout(step.run(), this.#stepTimeoutMs, () => new StepOverran());
      } catch (error) {
        if (error instanceof StepOverran) {
          this.#logger.warn(
            { event: 'shutdown:step:timeout', step: step.name, timeout_ms: this.#stepTimeoutMs },
            `shutdown: could not ${step.name} within ${this.#stepTimeoutMs} ms; left it and went on`,
          );
        } else {
          this.#logger.warn(
            { event: 'shutdown:step:failed', step: step.name, err: error },
            `shutdown: could not ${step.name} (${(error as Error).message}); went on`,
          );
        }
      }
    }
  }
}

class StepOverran extends Error {}

/**
 * After clean-up the process should end by itself. If something still holds it open (a socket, a timer) after
 * `afterMs`, log what it is and exit: an orchestrator waiting on a worker that said "stopped" would otherwise
 * wait for ever, and the next deploy with it. The timer is unref'd: a process that ends on its own never sees it.
 */
export function exitIfLingering(logger: Logger, afterMs = LINGER_TIMEOUT_MS): void {
  setTimeout(() => {
    logger.warn(
      { event: 'shutdown:lingering', resources: process.getActiveResourcesInfo() },
      `still running ${afterMs} ms after clean-up, held open by something not closed; exiting`,
    );
    process.exit(process.exitCode ?? 0);
  }, afterMs).unref();
}
