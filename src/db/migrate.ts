import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { migrationsDir, sqlDir } from '../paths.ts';
import { readSqlRevision, type SqlRevision } from './sqlRevision.ts';

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
  /** True when this build's sql/ (functions, views) was applied by this call. */
  sqlApplied: boolean;
  /** This build's schema revision (sql/REVISION) and the one the database holds after this call. */
  revision: { build: number; database: number };
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

/** The database was migrated by a newer build than this one, and this build cannot run against it. */
export class SchemaTooNewError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchemaTooNewError';
  }
}

/** sql/ differs from what the database holds under the same revision: someone changed it without raising it. */
export class SqlRevisionChangedError extends Error {
  readonly revision: number;
  constructor(revision: number, options?: ErrorOptions) {
    super(
      `sql/ of this build differs from the definitions of schema revision ${revision} in the database, under the ` +
        'same revision; a change to sql/ must raise the revision in sql/REVISION (nothing was applied)',
      options,
    );
    this.name = 'SqlRevisionChangedError';
    this.revision = revision;
  }
}

/**
 * The database is behind this build (or its schema revision cannot be read), and the role this process
 * connects as may not migrate it: a least-privilege role (avt_api, avt_reader) runs only against a database
 * the owner migrated.
 */
export class NotMigratedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotMigratedError';
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

const bookkeepingSql = readFile(new URL('./bookkeeping.sql', import.meta.url), 'utf8');

interface SqlState {
  sha256: string;
  revision: number;
  compatible_from: number;
}

/** Who this session is, in which schema, and whether it may create objects there (and so migrate). */
interface Rights {
  role: string;
  schema: string | null;
  may_migrate: boolean | null;
}

/** Throws SchemaTooNewError when this build cannot run against the newer revision the database holds. */
function checkRunsAgainstNewer(held: SqlState, build: SqlRevision): void {
  if (build.revision < held.compatible_from) {
    throw new SchemaTooNewError(
      `this build needs schema revision ${build.revision}; the database holds revision ${held.revision}, ` +
        `which runs code from revision ${held.compatible_from} on: upgrade this build`,
    );
  }
}

/**
 * migrate() for a role that may not create objects in the schema: changes nothing, and returns when the
 * database holds this build's revision (or a newer one this build runs against); else NotMigratedError.
 */
async function checkMigrated(
  client: pg.ClientBase,
  { role, schema }: Rights,
  build: SqlRevision,
  sqlHash: string,
  result: MigrateResult,
): Promise<MigrateResult> {
  const cannot = `${role} may not migrate it (no CREATE on schema ${schema}): run \`avt migrate\` as the owner first`;
  let held: SqlState | undefined;
  try {
    ({
      rows: [held],
    } = await client.query<SqlState>('SELECT sha256, revision, compatible_from FROM avt_sql_state'));
  } catch (error) {
    throw new NotMigratedError(
      `cannot read the schema revision of the database (${(error as Error).message}), and ${cannot}; ` +
        'a worker that connects as avt_worker runs with --no-migrate',
      { cause: error },
    );
  }
  if (!held || held.revision < build.revision) {
    throw new NotMigratedError(
      `this build needs schema revision ${build.revision}; the database holds ${held ? `revision ${held.revision}` : 'none'}, and ${cannot}`,
    );
  }
  if (held.revision > build.revision) checkRunsAgainstNewer(held, build);
  else if (held.sha256 !== sqlHash) throw new SqlRevisionChangedError(build.revision);
  result.revision.database = held.revision;
  return result;
}

/**
 * Brings the schema up to date, and never backwards: when this build's schema revision (sql/REVISION) is
 * newer than the database's, applies each new file of migrations/ once, in order, each in its own
 * transaction, then re-applies sql/ (functions, views); creates the response partitions ahead. When the
 * database holds a newer revision, leaves it alone and returns if this build can run against it (it is at
 * or above that revision's `compatible_from`), else throws SchemaTooNewError. Safe to run from many
 * processes at once. A role that may not create objects in the schema (avt_api: `avt serve`) migrates
 * nothing: it only checks that the database is current (NotMigratedError otherwise).
 */
export async function migrate(pool: pg.Pool): Promise<MigrateResult> {
  const [migrations, sqlFiles, build, bookkeeping] = await Promise.all([
    readMigrations(),
    readSqlFiles(sqlDir),
    readSqlRevision(sqlDir),
    bookkeepingSql,
  ]);
  const sqlHash = sha256(sqlFiles.map((f) => `${f.file}\n${f.sql}`).join('\n'));
  const result: MigrateResult = {
    applied: [],
    sqlApplied: false,
    revision: { build: build.revision, database: build.revision },
    partitionsCreated: [],
  };

  const client = await pool.connect();
  try {
    // DB_STATEMENT_TIMEOUT_MS bounds a worker's queries, not its migrations: an index built over millions of
    // answers, or a wait for another replica's migration lock, may take longer. RESET gives the pool back
    // the session's own setting.
    await client.query('SET statement_timeout = 0');
    const { rows } = await client.query<Rights>(
      `SELECT current_user AS role, current_schema() AS schema,
              has_schema_privilege(current_schema(), 'CREATE') AS may_migrate`,
    );
    const rights = rows[0] as Rights;
    if (!rights.may_migrate) return await checkMigrated(client, rights, build, sqlHash, result);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    try {
      await client.query(bookkeeping);
      const { rows: state } = await client.query<SqlState>(
        'SELECT sha256, revision, compatible_from FROM avt_sql_state',
      );
      const held = state[0];
      if (held && held.revision > build.revision) {
        checkRunsAgainstNewer(held, build);
        result.revision.database = held.revision;
        return result;
      }
      if (held && held.revision === build.revision && held.sha256 !== sqlHash) {
        throw new SqlRevisionChangedError(build.revision);
      }

      const { rows: applied } = await client.query<{ id: number; name: string; sha256: string }>(
        'SELECT id, name, sha256 FROM avt_migrations ORDER BY id',
      );
      const known = new Map(migrations.map((m) => [m.id, m]));
      for (const row of applied) {
        const file = known.get(row.id);
        if (!file) {
          throw new SchemaTooNewError(
            `the database has migration ${row.name}, which this build (schema revision ${build.revision}) ` +
              'does not know; it was migrated by a newer version: upgrade this worker rather than run old ' +
              'code on a newer schema',
          );
        }
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

      if (!held || held.revision < build.revision || result.applied.length > 0) {
        await inTransaction(
          client,
          `${sqlFiles.map((f) => f.sql).join(';\n')};
           INSERT INTO avt_sql_state (sha256, revision, compatible_from)
           VALUES ('${sqlHash}', ${build.revision}, ${build.compatibleFrom})
           ON CONFLICT (singleton) DO UPDATE
           SET sha256 = EXCLUDED.sha256, revision = EXCLUDED.revision,
               compatible_from = EXCLUDED.compatible_from, applied_at = now()`,
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
    // A connection whose RESET failed is closed rather than pooled with no statement timeout.
    const reset = await client.query('RESET statement_timeout').then(
      () => undefined,
      (error: Error) => error,
    );
    client.release(reset);
  }
  return result;
}

/** The line to log when a newer build's definitions were left in place; undefined otherwise. */
export function newerSchemaNotice({ revision }: MigrateResult): string | undefined {
  if (revision.database <= revision.build) return undefined;
  return (
    `the database holds schema revision ${revision.database}, newer than this build's ${revision.build}: ` +
    'its functions and views stay in place, and this build runs against them'
  );
}
