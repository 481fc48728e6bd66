import type pg from 'pg';
import type { Finding } from './finding.ts';
import { doctorSql } from './queries.ts';

const CHECK = 'autovacuum';
/** Dead tuples in a queue table, with no vacuum for STALE_VACUUM_S, that slow the claim. */
export const DEAD_TUPLES_WARN = 50_000;
const STALE_VACUUM_S = 600;

interface TableVacuum {
  server_autovacuum: boolean;
  track_counts: boolean;
  table_name: string;
  table_autovacuum_off: boolean;
  live: string;
  dead: string;
  since_vacuum_s: number | null;
}

/** Every claim leaves dead index entries that only VACUUM removes: the queue tables must be vacuumed. */
export async function checkAutovacuum(pool: pg.Pool): Promise<Finding[]> {
  const { rows } = await pool.query<TableVacuum>(doctorSql('autovacuum'));
  const first = rows[0];
  if (first && (!first.server_autovacuum || !first.track_counts)) {
    return [
      {
        check: CHECK,
        status: 'fail',
        message: `autovacuum is off on this server (autovacuum = ${first.server_autovacuum ? 'on' : 'off'}, track_counts = ${first.track_counts ? 'on' : 'off'}): claims slow down as dead index entries pile up`,
        fix: 'set autovacuum = on and track_counts = on (postgresql.conf, then reload)',
      },
    ];
  }
  return rows.map((table): Finding => {
    const vacuumed =
      table.since_vacuum_s === null ? 'never vacuumed' : `vacuumed ${ago(table.since_vacuum_s)} ago`;
    const state = `${table.table_name}: ${table.dead} dead of ${table.live} live tuples, ${vacuumed}`;
    if (table.table_autovacuum_off) {
      return {
        check: CHECK,
        status: 'fail',
        message: `${table.table_name} has autovacuum_enabled = false`,
        fix: `ALTER TABLE ${table.table_name} RESET (autovacuum_enabled)`,
      };
    }
    if (Number(table.dead) > DEAD_TUPLES_WARN && (table.since_vacuum_s ?? Infinity) > STALE_VACUUM_S) {
      return {
        check: CHECK,
        status: 'warn',
        message: `${state}: autovacuum is not keeping up`,
        fix: `VACUUM ${table.table_name} now; check autovacuum_max_workers and long transactions holding it back (pg_stat_activity)`,
      };
    }
    return { check: CHECK, status: 'ok', message: state };
  });
}

function ago(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3_600)} h`;
}
