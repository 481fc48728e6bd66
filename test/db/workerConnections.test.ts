// Migration 0013 records each worker's connection budget (workers.db_connections): over a database that the
// build before it migrated, with workers registered and runs in every state, it keeps every row, leaves the
// old workers' budget unknown, and a worker of this build records its own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrate } from '../../src/db/migrate.ts';
import { everyRow } from '../helpers/db.ts';
import { commitAnswer } from '../helpers/logins.ts';
import { migratedByBuildBefore } from '../helpers/previousBuild.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

const OLD_WORKER_COLUMNS =
  'id, worker_id, ai_source, locked_by, host, pid, version, concurrency, started_at, last_seen_at, stopped_at';

describe('migration 0013 (workers.db_connections) on a database with rows in place', () => {
  const database = migratedByBuildBefore('migrations/0013_worker_connections.sql');

  const workers = async () =>
    (await database().pool.query(`SELECT ${OLD_WORKER_COLUMNS} FROM workers ORDER BY id`)).rows;

  test('keeps every row; old workers unknown, a new one records its pool and LISTEN session', {
    timeout: 120_000,
  }, async () => {
    const old = database();

    await onlySources(old.pool, 'chatgpt');
    for (let i = 0; i < 3; i++) await commitAnswer(old);
    await addPrompts(old.pool, ['Which CRM for a team of five?', 'Which CRM for a team of six?']);
    assert.ok(await claim(old.pool), 'a run is left running');
    await old.pool.query(
      `INSERT INTO workers (worker_id, ai_source, locked_by, host, pid, version, concurrency, stopped_at)
       VALUES (1, 'chatgpt', '1@old-host:1:aaaaaa', 'old-host', 1, '0.0.0', 3, NULL),
              (2, 'chatgpt', '2@old-host:2:bbbbbb', 'old-host', 2, '0.0.0', 1, now())`,
    );
    const tablesBefore = await everyRow(old.pool);
    const workersBefore = await workers();
    assert.equal(workersBefore.length, 2);

    const result = await migrate(old.pool);
    assert.ok(result.applied.includes('0013_worker_connections'), result.applied.join());
    const tablesAfter = await everyRow(old.pool);
    // workers' rows gained a column, so their text changed: compared column by column below.
    delete tablesBefore.workers;
    delete tablesAfter.workers;
    assert.deepEqual(tablesAfter, tablesBefore);
    assert.deepEqual(await workers(), workersBefore);
    const { rows: unknown } = await old.pool.query('SELECT id FROM workers WHERE db_connections IS NULL');
    assert.equal(unknown.length, 2);

    const worker = spawnWorker(
      ['--ai-source', 'chatgpt', '--worker-id', '3', '--concurrency', '2', '--once', '--no-maintenance'],
      { DATABASE_URL: old.url, DB_POOL_MAX: '5' },
    );
    assert.equal(await worker.exited, 0, worker.stderr());
    const { rows } = await old.pool.query<{ db_connections: number }>(
      'SELECT db_connections FROM workers WHERE worker_id = 3',
    );
    assert.deepEqual(rows, [{ db_connections: 6 }]);
    const announced = worker.logs.find((line) => line.event === 'db:connections');
    assert.equal(announced?.max_connections, 6);
    assert.equal(announced?.application_name, 'avt-worker:chatgpt:3');
  });
});
