import type { Runner } from 'graphile-worker';
import type { Logger } from 'pino';

export interface SupervisedMaintenance {
  /** Stops the runner now running (or the restart waiting) and starts no other. */
  stop(): Promise<void>;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

/**
 * Keeps the background tasks running for the worker's whole life. graphile-worker stops its runner for good
 * when it cannot record a job's end (a connection cut while it marks the job done or failed: "queue is in an
 * inconsistent state; aborting"), and nothing would start it again: no more rounds, compaction or alerts from
 * this replica while it goes on claiming. So the worker says what stopped them and starts a new runner,
 * waiting longer after each start that fails (the database may still be away). The job whose end was lost
 * stays locked until graphile-worker's stale-lock expiry; the crontab queues the next tick anyway.
 */
export async function superviseMaintenance(
  start: () => Promise<Runner>,
  logger: Logger,
): Promise<SupervisedMaintenance> {
  let runner: Runner | undefined = await start();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const restart = (delayMs: number): void => {
    timer = setTimeout(() => {
      timer = undefined;
      starting = start().then(
        (started) => {
          runner = started;
          logger.info({ event: 'maintenance:restarted' }, 'background tasks running again');
          watch(started);
        },
        (error: unknown) => {
          const next = Math.min(delayMs * 2, MAX_DELAY_MS);
          logger.warn(
            { event: 'maintenance:restart:failed', err: error, retry_in_ms: next },
            `could not start the background tasks again; trying in ${Math.round(next / 1000)} s`,
          );
          if (!stopped) restart(next);
        },
      );
    }, delayMs);
  };

  const watch = (current: Runner): void => {
    let reason = 'its runner ended';
    current.events.on('pool:fatalError', ({ error, action }) => {
      reason = `${action} failed: ${error instanceof Error ? error.message : String(error)}`;
    });
    // graphile-worker's runner resolves, not rejects, when its pool aborts (the reason comes from
    // pool:fatalError): any end we did not ask for counts.
    const ended = (): void => {
      if (stopped || current !== runner) return;
      runner = undefined;
      logger.error(
        { event: 'maintenance:stopped', reason, restart_in_ms: FIRST_DELAY_MS },
        `the background tasks stopped (${reason}); starting them again in ${Math.round(FIRST_DELAY_MS / 1000)} s`,
      );
      restart(FIRST_DELAY_MS);
    };
    current.promise.then(ended, ended);
  };
  watch(runner);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await starting;
      await runner?.stop();
    },
  };
}
