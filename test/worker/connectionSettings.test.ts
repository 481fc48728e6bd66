// A worker's connections: as many as DB_POOL_MAX allows plus its LISTEN session, each named in
// pg_stat_activity, announced at start; a pool too small to work is refused with the fix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

describe('worker connection settings', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
  });
  after(() => t.drop());

  test('--db-pool-max 1 with the background tasks is refused, naming what holds the one connection', async () => {
    const worker = spawnWorker(['--ai-source', 'chatgpt', '--worker-id', '1', '--db-pool-max', '1'], {
      DATABASE_URL: t.url,
    });
    assert.equal(await worker.exited, 2);
    assert.match(worker.stderr(), /--db-pool-max 1 leaves no connection for jobs.*--no-maintenance/);
  });

  test('DB_POOL_MAX bounds the sessions, each named for its worker; a small pool is a warning', async () => {
    await t.pool.query(
      `INSERT INTO prompts (text) SELECT 'sleep:50 #' || i FROM generate_series(1, 60) AS i`,
    );
    const worker = spawnWorker(
      ['--ai-source', 'chatgpt', '--worker-id', '4', '--concurrency', '4', '--no-maintenance'],
      { DATABASE_URL: t.url, DB_POOL_MAX: '3' },
    );
    const sessions = new Map<string, number>();
    try {
      await waitFor(
        async () => {
          const { rows } = await t.pool.query<{ name: string; n: number }>(
            `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND application_name LIKE 'avt-worker:%' GROUP BY 1`,
          );
          for (const row of rows) sessions.set(row.name, Math.max(sessions.get(row.name) ?? 0, row.n));
          const { rows: left } = await t.pool.query(`SELECT 1 FROM prompt_runs WHERE status <> 'done'`);
          return left.length === 0;
        },
        60_000,
        'every run done',
      );
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    assert.deepEqual([...sessions.keys()].sort(), ['avt-worker:chatgpt:4', 'avt-worker:chatgpt:4:listen']);
    assert.ok(
      (sessions.get('avt-worker:chatgpt:4') ?? 0) <= 3,
      `pool sessions: ${sessions.get('avt-worker:chatgpt:4')}`,
    );
    assert.equal(sessions.get('avt-worker:chatgpt:4:listen'), 1);
    const announced = worker.logs.find((line) => line.event === 'db:connections');
    assert.deepEqual([announced?.max_connections, announced?.pool_max], [4, 3]);
    const small = worker.logs.find((line) => line.event === 'db:pool:small');
    assert.equal(small?.wanted, 5);
  });
});
