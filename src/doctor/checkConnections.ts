import type pg from 'pg';
import type { Finding } from './finding.ts';
import { doctorSql } from './queries.ts';

const CHECK = 'connections';
/** Share of the server's slots past which a scale-up is a warning. */
export const CONNECTIONS_WARN_SHARE = 0.8;
/** An avt serve replica's connections on DATABASE_URL at its defaults: a pool of 5 and its LISTEN session. */
const SERVE_REPLICA_CONNECTIONS = 6;

interface Budget {
  max_connections: number;
  reserved: number;
  live_workers: number;
  workers_may_open: number;
  workers_unrecorded: number;
  workers_in_use: number;
  serve_replicas: number;
  serve_in_use: number;
  others_in_use: number;
}

/**
 * What the live workers and serve replicas may open, with what other clients hold now, against the slots the
 * server gives ordinary roles: the pools grow to their maximum under load, so this is the figure that meets
 * `too many clients` first.
 */
export async function checkConnections(pool: pg.Pool): Promise<Finding[]> {
  const { rows } = await pool.query<Budget>(doctorSql('connections'));
  const b = rows[0] as Budget;
  const available = b.max_connections - b.reserved;
  const serve = Math.max(b.serve_in_use, b.serve_replicas * SERVE_REPLICA_CONNECTIONS);
  const demand = b.workers_may_open + serve + b.others_in_use;
  const message =
    `${demand} of ${available} connections spoken for: ${b.live_workers} live worker(s) may open ` +
    `${b.workers_may_open} (${b.workers_in_use} open now${b.workers_unrecorded ? `; ${b.workers_unrecorded} from before budgets were recorded, counted at concurrency + 5` : ''}), ` +
    `${b.serve_replicas} avt serve replica(s) ${serve}, other clients ${b.others_in_use} ` +
    `(max_connections ${b.max_connections}, ${b.reserved} reserved)`;
  const fix =
    'raise max_connections, lower DB_POOL_MAX on workers and avt serve, run fewer replicas, or put PgBouncer ' +
    'in front (transaction mode, with DATABASE_LISTEN_URL direct; docs/deploy.md)';
  if (demand > available) return [{ check: CHECK, status: 'fail', message, fix }];
  if (demand > available * CONNECTIONS_WARN_SHARE) {
    return [
      { check: CHECK, status: 'warn', message: `${message}: over ${CONNECTIONS_WARN_SHARE * 100}%`, fix },
    ];
  }
  return [{ check: CHECK, status: 'ok', message }];
}
