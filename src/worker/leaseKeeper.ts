import type { Logger } from 'pino';
import type { Lease } from '../job/claimedRun.ts';
import { LeaseLostError } from '../queue/errors.ts';
import type { QueueClient } from '../queue/queueClient.ts';

export interface LeaseKeeper {
  stop(): void;
}

/**
 * Renews a run's lease every third of its length while the job runs. When the lease is gone (taken over
 * after an expiry), `onLost` aborts the job. A failed renewal (database unreachable) is retried at the next
 * tick; the lease only lapses if renewals keep failing for a whole lease length.
 */
export function keepLease(
  queue: Pick<QueueClient, 'heartbeat'>,
  lease: Lease,
  leaseSeconds: number,
  onLost: (error: LeaseLostError) => void,
  logger: Logger,
): LeaseKeeper {
  let stopped = false;
  const leaseMs = leaseSeconds * 1000;
  const everyMs = Math.max(200, leaseMs / 3);
  // When the lease lapses unless renewed again: the claim's or the last renewal's time + its length.
  let expiresAt = Date.now() + leaseMs;
  const timer = setInterval(() => {
    const sentAt = Date.now();
    queue.heartbeat(lease, leaseSeconds).then(
      (held) => {
        if (held) expiresAt = Math.max(expiresAt, sentAt + leaseMs);
        if (!held && !stopped) {
          stopped = true;
          clearInterval(timer);
          onLost(new LeaseLostError(lease.runId));
        }
      },
      (error: unknown) => {
        const leftMs = Math.max(0, expiresAt - Date.now());
        logger.warn(
          { event: 'lease:heartbeat:failed', err: error, lease_left_ms: leftMs },
          `waiting for the database to renew the lease (${(error as Error).message}); trying again in ` +
            `${Math.round(everyMs)} ms, it lapses in ${leftMs} ms unless renewed`,
        );
      },
    );
  }, everyMs);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
