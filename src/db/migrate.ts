import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { migrationsDir, sqlDir } from '../paths.ts';

/** Any number of processes may migrate at once: they take turns on this advisory lock. */
const MIGRATE_LOCK_KEY = 7_370_001;

export interface MigrationFile {
  id: number;
  name: string;
  sha256: string;
  sql: string;
}

export interface MigrateResult {
  /** Migrations applied by this call, e.g. `0001_queue_schema`. */
  applied: string[];
  /** True when the functions and views in sql/ changed and were applied again. */
  sqlApplied: boolean;
  /** Response partitions created by this call. */
  partitionsCreated: string[];
}

/** An applied migration's file was edited afterwards: the database and the code disagree. */
export class MigrationChangedError extends Error {
  readonly migration: string;
  constructor(migration: string, options?: ErrorOptions) {
    super(
      `migration ${migration} was changed after it was applied to this database; ` +
        'applied migrations are append-only: restore the file and put the change in a new migration',
      options,
    );
    this.name = 'MigrationChangedError';
    this.migration = migration;
  }
}

/** The database was migrated by a newer build than this one. */
export class SchemaTooNewError extends Error {
  readonly migration: string;
  constructor(migration: string, options?: ErrorOptions) {
    super(
      `the database has migration ${migration}, which this build does not know; ` +
        'it was migrated by a newer version: upgrade this worker rather than run old code on a newer schema',
      options,
    );
    this.name = 'SchemaTooNewError';
    this.migration = migration;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function readSqlFiles(dir: string): Promise<{ file: string; sql: string }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(files.map(async (file) => ({ file, sql: await readFile(join(dir, file), 'utf8') })));
}

export async function readMigrations(dir = migrationsDir): Promise<MigrationFile[]> {
  const files = await readSqlFiles(dir);
  return files.map(({ file, sql }) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} must be named NNNN_name.sql (lower case, digits, _)`);
    return { id: Number(match[1]), name: file.replace(/\.sql$/, ''), sha256: sha256(sql), sql };
  });
}

async function inTransaction(client: pg.ClientBase, sql: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * Brings the schema up to date: applies each new file of migrations/ once, in order, each in its own
 * transaction; re-applies sql/ (functions, views) when it changed; creates the response partitions
 * ahead. Safe to run from many processes at once.
 */
export async function migrate(pool: pg.Pool): Promise<MigrateResult> {
  const [migrations, sqlFiles] = await Promise.all([readMigrations(), readSqlFiles(sqlDir)]);
  const sqlHash = sha256(sqlFiles.map((f) => `${f.file}\n${f.sql}`).join('\n'));
  const result: MigrateResult = { applied: [], sqlApplied: false, partitionsCreated: [] };

  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS avt_migrations (
          id integer PRIMARY KEY,
          name text NOT NULL,
          sha256 text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS avt_sql_state (
          singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
          sha256 text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows: applied } = await client.query<{ id: number; name: string; sha256: string }>(
        'SELECT id, name, sha256 FROM avt_migrations ORDER BY id',
      );
      const known = new Map(migrations.map((m) => [m.id, m]));
      for (const row of applied) {
        const file = known.get(row.id);
        if (!file) throw new SchemaTooNewError(row.name);
        if (file.sha256 !== row.sha256) throw new MigrationChangedError(row.name);
      }
      const appliedIds = new Set(applied.map((row) => row.id));
      for (const migration of migrations) {
        if (appliedIds.has(migration.id)) continue;
        await inTransaction(
          client,
          `${migration.sql};\nINSERT INTO avt_migrations (id, name, sha256) VALUES (${migration.id}, '${migration.name}', '${migration.sha256}')`,
        );
        result.applied.push(migration.name);
      }

      const { rows: state } = await client.query<{ sha256: string }>('SELECT sha256 FROM avt_sql_state');
      if (state[0]?.sha256 !== sqlHash || result.applied.length > 0) {
        await inTransaction(
          client,
          `${sqlFiles.map((f) => f.sql).join(';\n')};
           INSERT INTO avt_sql_state (sha256) VALUES ('${sqlHash}')
           ON CONFLICT (singleton) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()`,
        );
        result.sqlApplied = true;
      }

      const { rows: created } = await client.query<{ name: string }>(
        'SELECT create_response_partitions(3) AS name',
      );
      result.partitionsCreated = created.map((row) => row.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return result;
}
