// Migration 0011 makes the roles (cluster-wide, NOLOGIN) and sql/900_roles.sql grants them: over a database
// with rows in place it keeps every row; an owner that is no superuser and may not create roles migrates once
// they exist; two migrations creating them at once both succeed, and a user who may not create them is told
// what a superuser runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { migrationsDir } from '../../src/paths.ts';
import { commitResult } from '../../src/queue/commitResult.ts';
import { adminUrl, createTestDatabase, everyRow, type TestDatabase, waitFor } from '../helpers/db.ts';
import { commitAnswer, createLogin, dropLogins } from '../helpers/logins.ts';
import { migratedByBuildBefore } from '../helpers/previousBuild.ts';
import { addPrompts, claim } from '../helpers/queue.ts';
import { deadRun } from '../operations/fixtures.ts';

describe('migration 0011 on a database with rows in place', () => {
  const database = migratedByBuildBefore('migrations/0011_roles.sql');

  test('keeps every row of every table, and avt_reader then reads its figures', {
    timeout: 120_000,
  }, async () => {
    const old = database();
    await old.pool.query(`INSERT INTO brands (name, domains) VALUES ('HubSpot', '{hubspot.com}')`);
    await old.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt')`);
    for (let i = 0; i < 3; i++) await commitAnswer(old);
    await deadRun(old.pool);
    const before = await everyRow(old.pool);
    assert.match(before.responses ?? '', /^3 /);

    const result = await migrate(old.pool);
    assert.equal(result.applied[0], '0011_roles');
    assert.deepEqual(await everyRow(old.pool), before);

    const reader = await createLogin(old, 'avt_reader');
    try {
      const read = `SELECT * FROM brand_visibility ORDER BY day, brand_id`;
      const { rows } = await reader.pool.query(read);
      assert.equal(rows[0]?.answers, '3');
      assert.deepEqual(rows, (await old.pool.query(read)).rows);
    } finally {
      await dropLogins(old, [reader]);
    }
  });
});

describe('an owner that is no superuser and may not create roles', () => {
  let t: TestDatabase;
  let owner: string;
  // For servers that ask for one (the embedded server does; trust auth ignores it).
  const ownerPassword = randomBytes(12).toString('hex');
  before(async () => {
    t = await createTestDatabase({ migrated: false });
    owner = `avt_owner_${process.pid}_${randomBytes(3).toString('hex')}`;
    // The owner of the database owns its schema public (PostgreSQL 15), as a managed database's app user does.
    await t.pool.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${ownerPassword}' NOSUPERUSER NOCREATEROLE`);
    await t.pool.query(`ALTER DATABASE ${t.name} OWNER TO ${owner}`);
  });
  after(async () => {
    await t.drop();
    // The owner of a database is dropped after it.
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE ${owner}`);
    } finally {
      await admin.end();
    }
  });

  test('migrates once the roles exist, and avt_worker claims and commits through the functions it owns', async () => {
    const ownerUrl = new URL(t.url);
    ownerUrl.username = owner;
    ownerUrl.password = ownerPassword;
    const ownerPool = new pg.Pool({ connectionString: ownerUrl.toString(), max: 2 });
    const worker = await createLogin(t, 'avt_worker');
    try {
      assert.ok((await migrate(ownerPool)).applied.includes('0011_roles'));
      const { rows: owners } = await ownerPool.query(
        `SELECT DISTINCT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE prosecdef`,
      );
      assert.deepEqual(owners, [{ owner }]);
      await ownerPool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt')`);
      await addPrompts(ownerPool, ['Which CRM suits a dentist?']);
      const run = await claim(worker.pool);
      assert.ok(run);
      await commitResult(worker.pool, run, { response: { answerText: 'Any.' }, mentions: [], citations: [] });
      const { rows } = await ownerPool.query(`SELECT status FROM prompt_runs`);
      assert.deepEqual(rows, [{ status: 'done' }]);
    } finally {
      await ownerPool.end();
      await dropLogins(t, [worker]);
    }
  });
});

describe("migration 0011's role creation, on role names of this test", () => {
  let t: TestDatabase;
  let names: string[];
  /** The migration's statement, creating `names` instead of the three roles (which this cluster has already). */
  let creation: string;
  before(async () => {
    t = await createTestDatabase({ migrated: false });
    const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
    names = ['one', 'two', 'three'].map((name) => `avt_scratch_${name}_${tag}`);
    const file = await readFile(join(migrationsDir, '0011_roles.sql'), 'utf8');
    creation = file.replace(
      `ARRAY['avt_worker', 'avt_api', 'avt_reader']`,
      `ARRAY[${names.map((name) => `'${name}'`).join(', ')}]`,
    );
    assert.notEqual(creation, file);
  });
  after(async () => {
    await t.pool.query(`DROP ROLE IF EXISTS ${names.join(', ')}`);
    await t.drop();
  });

  test('two migrations creating the roles at the same moment both succeed', async () => {
    const first = await t.pool.connect();
    const second = await t.pool.connect();
    try {
      const { rows: backend } = await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await first.query('BEGIN');
      await first.query(creation);
      await second.query('BEGIN');
      // It does not see the first's roles yet: its CREATE ROLE waits for the first transaction to end.
      const racing = second.query(creation);
      await waitFor(
        async () => {
          const { rows } = await t.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
            [backend[0]?.pid],
          );
          return rows.length === 1;
        },
        10_000,
        'the second migration to wait for the first',
      );
      await first.query('COMMIT');
      await racing;
      await second.query('COMMIT');
    } finally {
      // Closed rather than pooled: a failed statement would leave its transaction open.
      first.release(true);
      second.release(true);
    }
    const { rows } = await t.pool.query(
      `SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY ($1::text[]) ORDER BY 1`,
      [names],
    );
    assert.deepEqual(
      rows,
      [...names].sort().map((rolname) => ({ rolname, rolcanlogin: false })),
    );
  });

  test('a migrating user who may not create roles is stopped with the statements a superuser runs', async () => {
    await t.pool.query(`DROP ROLE IF EXISTS ${names.join(', ')}`);
    const login = await createLogin(t, 'avt_reader');
    try {
      await assert.rejects(
        login.pool.query(creation),
        (error: { code?: string; message: string; hint?: string }) => {
          assert.equal(error.code, '42501');
          assert.match(
            error.message,
            new RegExp(
              `^migration 0011_roles: ${login.name} may not create roles, and the role ${names[0]} does not exist$`,
            ),
          );
          assert.match(
            error.hint ?? '',
            /CREATE ROLE avt_worker NOLOGIN; CREATE ROLE avt_api NOLOGIN; CREATE ROLE avt_reader NOLOGIN; then migrate again/,
          );
          return true;
        },
      );
    } finally {
      await dropLogins(t, [login]);
    }
  });
});
