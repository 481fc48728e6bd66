import type pg from 'pg';
import { readMigrations } from '../db/migrate.ts';
import { readSqlRevision } from '../db/sqlRevision.ts';
import { sqlDir } from '../paths.ts';
import type { Finding } from './finding.ts';
import { doctorSql } from './queries.ts';

const CHECK = 'schema';

/** The database's migrations and sql/ revision against this build's. */
export async function checkSchema(pool: pg.Pool): Promise<Finding[]> {
  const [build, files] = await Promise.all([readSqlRevision(sqlDir), readMigrations()]);
  const latest = files.at(-1)?.name ?? '';
  let held: { revision: number | null; migrations: string[] };
  try {
    const { rows } = await pool.query<typeof held>(doctorSql('schema'));
    held = rows[0] ?? { revision: null, migrations: [] };
  } catch (error) {
    if ((error as { code?: string }).code !== '42P01') throw error;
    held = { revision: null, migrations: [] };
  }
  if (held.revision === null) {
    return [
      {
        check: CHECK,
        status: 'fail',
        message: 'the database was never migrated',
        fix: 'run `avt migrate` (or start a worker, which migrates)',
      },
    ];
  }
  const known = new Set(files.map((file) => file.name));
  const unknown = held.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0 || held.revision > build.revision) {
    return [
      {
        check: CHECK,
        status: 'warn',
        message:
          `the database is newer than this build (sql/ revision ${held.revision} against ${build.revision}` +
          `${unknown.length ? `; migrations ${unknown.join(', ')} unknown here` : ''})`,
        fix: 'run avt doctor from the build that migrated it, and upgrade workers of this build to it',
      },
    ];
  }
  const pending = files.filter((file) => !held.migrations.includes(file.name)).map((file) => file.name);
  if (pending.length > 0 || held.revision < build.revision) {
    return [
      {
        check: CHECK,
        status: 'warn',
        message:
          `the database is older than this build (sql/ revision ${held.revision} against ${build.revision}` +
          `${pending.length ? `; ${pending.length} migration(s) to apply, up to ${latest}` : ''})`,
        fix: 'run `avt migrate` before workers of this build start (they migrate by themselves unless --no-migrate)',
      },
    ];
  }
  return [
    {
      check: CHECK,
      status: 'ok',
      message: `migrations up to ${latest} and sql/ revision ${build.revision}, as this build expects`,
    },
  ];
}
