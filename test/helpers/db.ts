import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/kysely.ts';
import { migrate } from '../../src/db/migrate.ts';

export function adminUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test` (it sets one up)');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  db: Db;
  /** Closes the pool, fails if anything else left a connection open, and drops the database. */
  drop(): Promise<void>;
}

/** A fresh database of its own for one test file, optionally already migrated. */
export async function createTestDatabase(options: { migrated?: boolean; poolSize?: number } = {}) {
  const name = `avt_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(adminUrl(), name);
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 20 });
  if (options.migrated !== false) await migrate(pool);
  const db = createDb(pool);
  const testDatabase: TestDatabase = {
    name,
    url,
    pool,
    db,
    drop: async () => {
      await db.destroy();
      if (!pool.ended) await pool.end();
      const leaked = await admin(async (client) => {
        // A closed client's backend leaves pg_stat_activity a moment after the socket closes.
        const open = async () => {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          return rows[0]?.n ?? 0;
        };
        const deadline = Date.now() + 3_000;
        let n = await open();
        while (n > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          n = await open();
        }
        await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
        return n;
      });
      if (leaked > 0) throw new Error(`the test left ${leaked} connection(s) open to ${name}`);
    },
  };
  return testDatabase;
}

/** Waits until `check` returns a truthy value (polling every 10 ms), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Makes the database look as if an older build had migrated it (schema revision 0, before revisions), so
 * that the next migrate applies sql/ again. The state row's trigger refuses to move a revision backwards,
 * so the row is replaced rather than updated.
 */
export async function markSqlOlder(pool: pg.Pool): Promise<void> {
  await pool.query(`
    DELETE FROM avt_sql_state;
    INSERT INTO avt_sql_state (sha256, revision, compatible_from) VALUES ('older', 0, 0)`);
}

/**
 * Each table's rows (partitioned tables through their parent), as a count and a digest: equal before and
 * after an upgrade when no row was lost or changed.
 */
export async function everyRow(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string }>(`
    SELECT relname AS name FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
      AND relname NOT IN ('avt_migrations', 'avt_sql_state')
    ORDER BY 1`);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await pool.query<{ digest: string }>(
      `SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
       FROM "${name}" t`,
    );
    out[name] = rows[0]?.digest ?? '';
  }
  return out;
}
