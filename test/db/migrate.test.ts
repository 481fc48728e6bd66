import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MigrationChangedError, migrate, readMigrations, SchemaTooNewError } from '../../src/db/migrate.ts';
import { readSqlRevision } from '../../src/db/sqlRevision.ts';
import { sqlDir } from '../../src/paths.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, markSqlOlder, type TestDatabase } from '../helpers/db.ts';

describe('migrate', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrated: false });
  });
  after(async () => {
    await t.drop();
  });

  test('eight concurrent `avt migrate` runs on an empty database apply each migration exactly once', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runBin('avt', ['migrate'], { DATABASE_URL: t.url })),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const appliers = runs.filter((run) => /migrations applied: 0001_queue_schema/.test(run.stdout));
    assert.equal(appliers.length, 1, 'exactly one process applies the first migration');

    const files = await readMigrations();
    const { rows } = await t.pool.query<{ id: number; n: number }>(
      'SELECT id, count(*)::int AS n FROM avt_migrations GROUP BY id ORDER BY id',
    );
    assert.deepEqual(
      rows,
      files.map((f) => ({ id: f.id, n: 1 })),
    );
    const { rows: sources } = await t.pool.query('SELECT count(*)::int AS n FROM ai_sources');
    assert.equal(sources[0].n, 6, 'seed rows were inserted once');
  });

  test('a migration edited after it was applied stops startup with a clear message', async () => {
    await t.pool.query(`UPDATE avt_migrations SET sha256 = 'edited' WHERE id = 1`);
    try {
      await assert.rejects(migrate(t.pool), (error: unknown) => {
        assert.ok(error instanceof MigrationChangedError);
        assert.match(error.message, /0001_queue_schema was changed after it was applied/);
        assert.match(error.message, /new migration/);
        return true;
      });
      const cli = await runBin('avt', ['migrate'], { DATABASE_URL: t.url });
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /^avt: migration 0001_queue_schema was changed/);
    } finally {
      const [first] = await readMigrations();
      await t.pool.query('UPDATE avt_migrations SET sha256 = $1 WHERE id = 1', [first?.sha256]);
    }
  });

  test('a database migrated by a newer build is refused, not run against', async () => {
    await t.pool.query(
      `INSERT INTO avt_migrations (id, name, sha256) VALUES (9999, '9999_from_the_future', 'x')`,
    );
    try {
      await assert.rejects(migrate(t.pool), SchemaTooNewError);
    } finally {
      await t.pool.query('DELETE FROM avt_migrations WHERE id = 9999');
    }
  });

  test('sql/ is applied only over an older schema revision', async () => {
    const unchanged = await migrate(t.pool);
    assert.deepEqual(unchanged.applied, []);
    assert.equal(unchanged.sqlApplied, false);
    await markSqlOlder(t.pool);
    const changed = await migrate(t.pool);
    assert.equal(changed.sqlApplied, true);
    const { revision } = await readSqlRevision(sqlDir);
    assert.deepEqual(changed.revision, { build: revision, database: revision });
  });
});

describe('readMigrations', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avt-migrations-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a badly named migration file is rejected with the naming rule', async () => {
    await cp(new URL('../../migrations/', import.meta.url), dir, { recursive: true });
    await writeFile(join(dir, '2-add-thing.sql'), 'SELECT 1');
    await assert.rejects(readMigrations(dir), /2-add-thing\.sql must be named NNNN_name\.sql/);
  });
});
