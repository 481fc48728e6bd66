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
  const timer = setInterval(
    () => {
      queue.heartbeat(lease, leaseSeconds).then(
        (held) => {
          if (!held && !stopped) {
            stopped = true;
            clearInterval(timer);
            onLost(new LeaseLostError(lease.runId));
          }
        },
        (error: unknown) => logger.warn({ event: 'lease:heartbeat:failed', err: error }, 'heartbeat failed'),
      );
    },
    Math.max(200, (leaseSeconds * 1000) / 3),
  );
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
