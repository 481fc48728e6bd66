import type pg from 'pg';
import type { Finding } from './finding.ts';
import { doctorSql } from './queries.ts';

const CHECK = 'statements';
/** A statement slower than this on average is worth a look. */
export const SLOW_STATEMENT_MS = 500;
const MIN_CALLS = 5;
const SHOWN = 5;

interface Statement {
  query: string;
  calls: string;
  mean_ms: number;
  total_ms: number;
}

/** The slowest statements, when pg_stat_statements is installed and loaded; how to get it otherwise. */
export async function checkStatements(pool: pg.Pool): Promise<Finding[]> {
  const installed = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
  const howTo =
    "add pg_stat_statements to shared_preload_libraries, restart, and run 'CREATE EXTENSION pg_stat_statements'";
  if (installed.rowCount === 0) {
    return [
      {
        check: CHECK,
        status: 'info',
        message: `pg_stat_statements is not installed in this database: ${howTo} to see the slowest statements here`,
      },
    ];
  }
  let statements: Statement[];
  try {
    statements = (await pool.query<Statement>(doctorSql('statements'), [MIN_CALLS, SHOWN])).rows;
  } catch (error) {
    // 55000: installed, but not loaded at server start.
    if ((error as { code?: string }).code !== '55000') throw error;
    return [
      {
        check: CHECK,
        status: 'info',
        message: `pg_stat_statements is installed but not loaded: ${howTo.replace(/, and run.*/, '')}`,
      },
    ];
  }
  if (statements.length === 0) {
    return [{ check: CHECK, status: 'ok', message: `no statement called ${MIN_CALLS} times yet` }];
  }
  return statements.map((statement) => {
    const line = `${statement.mean_ms} ms mean over ${statement.calls} calls: ${statement.query}`;
    return statement.mean_ms > SLOW_STATEMENT_MS
      ? {
          check: CHECK,
          status: 'warn',
          message: line,
          fix: 'EXPLAIN (ANALYZE, BUFFERS) it; for the queue, see docs/performance.md',
        }
      : { check: CHECK, status: 'info', message: line };
  });
}
