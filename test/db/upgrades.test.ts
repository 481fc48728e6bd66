import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate, SchemaTooNewError, SqlRevisionChangedError } from '../../src/db/migrate.ts';
import { readSqlRevision } from '../../src/db/sqlRevision.ts';
import { sqlDir } from '../../src/paths.ts';
import { runBin, runProgram } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { revision } = await readSqlRevision(sqlDir);

/** Every function and view definition in the database: what an upgrade must never put back. */
async function definitions(t: TestDatabase): Promise<string[]> {
  const { rows } = await t.pool.query<{ definition: string }>(`
    SELECT pg_get_functiondef(p.oid) AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
    UNION ALL
    SELECT c.relname || ': ' || pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'v'
    ORDER BY 1`);
  return rows.map((row) => row.definition);
}

/**
 * Another build of this project beside it: a copy of bin/, scripts/, src/, sql/, migrations/ and
 * package.json sharing node_modules, with its own sql/REVISION and an edit to one function's body.
 */
async function buildCopy(dir: string, name: string, rev: number, compatibleFrom: number, mark: string) {
  const copy = join(dir, name);
  for (const part of ['bin', 'scripts', 'src', 'sql', 'migrations', 'package.json']) {
    await cp(join(root, part), join(copy, part), { recursive: true });
  }
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
  await writeFile(join(copy, 'sql', 'REVISION'), `revision ${rev}\ncompatible_from ${compatibleFrom}\n`);
  const enqueue = join(copy, 'sql', '010_enqueue.sql');
  const original = await readFile(enqueue, 'utf8');
  const edited = original.replace(
    'SELECT coalesce(max(id), 1) FROM rounds',
    `SELECT coalesce(max(id), 1) FROM rounds -- ${mark}`,
  );
  assert.notEqual(edited, original, 'the copy edits avt_current_round()');
  await writeFile(enqueue, edited);
  return (databaseUrl: string) =>
    runProgram(join(copy, 'bin', 'avt'), ['migrate'], { DATABASE_URL: databaseUrl });
}

describe('upgrades never go backwards', () => {
  let t: TestDatabase;
  let dir: string;
  before(async () => {
    t = await createTestDatabase({ migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'avt-builds-'));
  });
  after(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('after a newer build, an older build and an edited build of the same revision change no definition', async () => {
    const newer = await buildCopy(dir, 'newer', revision + 1, revision, 'newer');
    const edited = await buildCopy(dir, 'edited', revision + 1, revision, 'edited');

    const first = await newer(t.url);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`sql functions and views: applied \\(schema revision ${revision + 1}\\)`),
    );
    const newest = await definitions(t);
    assert.ok(
      newest.some((definition) => definition.includes('-- newer')),
      'the newer build applied its edit',
    );

    // This build is the older one: it runs (exit 0), says so in one line, and applies nothing.
    const older = await runBin('avt', ['migrate'], { DATABASE_URL: t.url });
    assert.equal(older.code, 0, older.stderr);
    assert.match(
      older.stdout,
      new RegExp(
        `database holds schema revision ${revision + 1}, newer than this build's ${revision}: its functions and views stay in place`,
      ),
    );
    assert.deepEqual(await definitions(t), newest);
    assert.deepEqual((await migrate(t.pool)).revision, { build: revision, database: revision + 1 });

    // The same revision with other content is refused, naming what to do.
    const refused = await edited(t.url);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^avt: sql\/ of this build differs from the definitions of schema revision \d+ in the database, under the same revision; a change to sql\/ must raise the revision in sql\/REVISION/,
    );
    assert.deepEqual(await definitions(t), newest);
  });

  test("an older build below the newer revision's compatible_from exits with one line naming both revisions", async () => {
    const breaking = await buildCopy(dir, 'breaking', revision + 2, revision + 2, 'breaking');
    const applied = await breaking(t.url);
    assert.equal(applied.code, 0, applied.stderr);
    const newest = await definitions(t);

    const older = await runBin('avt', ['migrate'], { DATABASE_URL: t.url });
    assert.equal(older.code, 1);
    assert.equal(
      older.stderr.trim(),
      `avt: this build needs schema revision ${revision}; the database holds revision ${revision + 2}, ` +
        `which runs code from revision ${revision + 2} on: upgrade this build`,
    );
    await assert.rejects(migrate(t.pool), SchemaTooNewError);
    assert.deepEqual(await definitions(t), newest);
  });
});

describe('the state row keeps the revision moving forward', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await t.drop();
  });

  test('a build from before revisions cannot re-apply its sql/: its state upsert fails, and its transaction with it', async () => {
    const before = await definitions(t);
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      // What such a build ran: its own sql/, then the upsert of the hash alone.
      await client.query(
        `CREATE OR REPLACE FUNCTION avt_current_round() RETURNS integer LANGUAGE sql STABLE AS $$ SELECT 1 $$`,
      );
      await assert.rejects(
        client.query(`INSERT INTO avt_sql_state (sha256) VALUES ('from-an-old-build')
                      ON CONFLICT (singleton) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()`),
        /schema revision \d+ is in place; this build's sql\/ is older, or was edited without raising sql\/REVISION/,
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    assert.deepEqual(await definitions(t), before);
  });

  test('a database from before revisions is upgraded in place, its rows kept', async () => {
    await t.pool.query(`
      INSERT INTO categories (name) VALUES ('before revisions');
      INSERT INTO prompts (text, category_id) SELECT 'kept across the upgrade?', id FROM categories;
      DROP TRIGGER avt_sql_state_forward_only ON avt_sql_state;
      DROP FUNCTION avt_sql_state_forward_only();
      ALTER TABLE avt_sql_state DROP COLUMN revision, DROP COLUMN compatible_from;
      UPDATE avt_sql_state SET sha256 = 'hash of an older build'`);
    const runsBefore = await t.pool.query('SELECT id FROM prompt_runs ORDER BY id');
    const result = await migrate(t.pool);
    assert.equal(result.sqlApplied, true);
    assert.deepEqual(result.revision, { build: revision, database: revision });
    const runsAfter = await t.pool.query('SELECT id FROM prompt_runs ORDER BY id');
    assert.deepEqual(runsAfter.rows, runsBefore.rows);
    assert.ok(runsBefore.rows.length > 0);
  });

  test('the same revision with other content is refused before anything is applied', async () => {
    await t.pool.query(`
      DELETE FROM avt_sql_state;
      INSERT INTO avt_sql_state (sha256, revision, compatible_from) VALUES ('other content', ${revision}, ${revision})`);
    const before = await definitions(t);
    await assert.rejects(migrate(t.pool), SqlRevisionChangedError);
    assert.deepEqual(await definitions(t), before);
  });
});

describe('sql/REVISION', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avt-revision-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads revision and compatible_from, skipping comments', async () => {
    await writeFile(join(dir, 'REVISION'), '# why\nrevision 7 # trailing\n\ncompatible_from 3\n');
    assert.deepEqual(await readSqlRevision(dir), { revision: 7, compatibleFrom: 3 });
  });

  test('a line it cannot read, a missing revision or a floor above the revision is an error naming the file', async () => {
    await writeFile(join(dir, 'REVISION'), 'revision seven\n');
    await assert.rejects(readSqlRevision(dir), /REVISION: cannot read 'revision seven'/);
    await writeFile(join(dir, 'REVISION'), 'compatible_from 2\n');
    await assert.rejects(readSqlRevision(dir), /REVISION: no 'revision N' line/);
    await writeFile(join(dir, 'REVISION'), 'revision 2\ncompatible_from 3\n');
    await assert.rejects(readSqlRevision(dir), /compatible_from 3 is above revision 2/);
  });
});
