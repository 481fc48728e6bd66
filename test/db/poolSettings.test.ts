// DB_STATEMENT_TIMEOUT_MS and DB_IDLE_TIMEOUT_MS reach every pooled session; migrations run without the
// statement timeout and hand the session back with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';

describe('pool settings', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase({ migrated: false });
  });
  after(() => t.drop());

  test('a statement timeout cancels a long statement, not a migration; the session keeps it after', async () => {
    const pool = createPool(t.url, { applicationName: 'avt-test-timeout', max: 1, statementTimeoutMs: 20 });
    try {
      const shown = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      assert.equal(shown.rows[0]?.statement_timeout, '20ms');
      await assert.rejects(pool.query('SELECT pg_sleep(2)'), { code: '57014' });
      // The pool's one session migrates an empty database (seconds of DDL) with the timeout lifted.
      const result = await migrate(pool);
      assert.ok(result.applied.length > 10, `applied ${result.applied.length}`);
      const after = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      assert.equal(after.rows[0]?.statement_timeout, '20ms');
    } finally {
      await pool.end();
    }
  });

  test('an idle connection closes after DB_IDLE_TIMEOUT_MS', async () => {
    const pool = createPool(t.url, { applicationName: 'avt-test-idle', max: 2, idleTimeoutMs: 1_000 });
    try {
      await Promise.all([pool.query('SELECT pg_sleep(0.1)'), pool.query('SELECT pg_sleep(0.1)')]);
      assert.equal(pool.totalCount, 2);
      await waitFor(() => pool.totalCount === 0, 5_000, 'the idle connections closed');
    } finally {
      await pool.end();
    }
  });
});
