import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;

/** The typed query builder over a pool; `src/db/schema.ts` is generated from the migrated schema. */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
