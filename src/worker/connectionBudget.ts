import type { Logger } from 'pino';
import { UsageError } from '../usageError.ts';
import type { WorkerConfig } from './config.ts';

export interface ConnectionBudget {
  /** The pool's size: claims, heartbeats, commits, and graphile-worker (whose LISTEN holds one for good). */
  poolMax: number;
  /** The whole process: the pool and the LISTEN session for new runs. */
  total: number;
}

/**
 * The connections a worker process may open: DB_POOL_MAX (default concurrency + 4) plus its LISTEN session.
 * A pool too small to run at all is refused; one that makes jobs queue for a connection is a warning.
 */
export function workerConnectionBudget(config: WorkerConfig, logger: Logger): ConnectionBudget {
  const poolMax = config.pool.max ?? config.concurrency + 4;
  // graphile-worker keeps one pooled connection for its own LISTEN while the background tasks run.
  const held = config.maintenance ? 1 : 0;
  if (poolMax <= held) {
    throw new UsageError(
      `--db-pool-max ${poolMax} leaves no connection for jobs: the background tasks' LISTEN holds ${held}; ` +
        `use ${held + 1} or more (${config.concurrency + held + 1} for --concurrency ${config.concurrency}), ` +
        'or run this worker with --no-maintenance',
    );
  }
  const wanted = config.concurrency + held + 1;
  if (poolMax < wanted) {
    logger.warn(
      { event: 'db:pool:small', pool_max: poolMax, concurrency: config.concurrency, wanted },
      `--db-pool-max ${poolMax} is under ${wanted} (a connection per job in flight, one for claims` +
        `${held ? ', one for the background tasks' : ''}): jobs will wait for a connection`,
    );
  }
  return { poolMax, total: poolMax + 1 };
}
