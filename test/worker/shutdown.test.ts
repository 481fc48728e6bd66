// A worker that says "stopped" must also exit: an orchestrator waits on the process, not on the log line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { OwnPostgres } from '../helpers/ownPostgres.ts';
import { type SpawnedWorker, spawnWorker } from '../helpers/workerProcess.ts';

const CHATGPT = ['--ai-source', 'chatgpt', '--worker-id', '1'];

async function chatgptRuns(pool: pg.Pool, prompts: number, text: string): Promise<void> {
  await pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
  await pool.query(`INSERT INTO prompts (text) SELECT $2 || ' #' || i FROM generate_series(1, $1) AS i`, [
    prompts,
    text,
  ]);
}

/** The worker's exit code, or 'still running' if it has not exited within `ms`. */
function exitWithin(worker: SpawnedWorker, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    worker.exited,
    new Promise<'still running'>((resolve) => {
      timer = setTimeout(() => resolve('still running'), ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
    worker.child.kill('SIGKILL');
  });
}

const events = (worker: SpawnedWorker) => worker.logs.map((line) => line.event);

describe('a stopping worker exits', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.drop());

  test('a clean-up step that never finishes is named, left, and the steps after it still run', async () => {
    await t.pool.query('TRUNCATE prompts CASCADE');
    await chatgptRuns(t.pool, 3, 'an answer');
    const worker = spawnWorker([...CHATGPT, '--once', '--no-maintenance'], {
      DATABASE_URL: t.url,
      SCRIPTED_CLOSE: 'hang',
      LOG_LEVEL: 'debug',
    });
    assert.equal(await exitWithin(worker, 60_000), 0, worker.stderr());
    const stuck = worker.logs.find((line) => line.event === 'shutdown:step:timeout');
    assert.equal(stuck?.step, 'close the capture handler (browsers)');
    const stepsAfter = worker.logs
      .slice(worker.logs.indexOf(stuck as (typeof worker.logs)[number]))
      .filter((line) => line.event === 'shutdown:step')
      .map((line) => line.step);
    assert.deepEqual(stepsAfter, [
      'close the LLM client',
      'close the database pool',
      'release the database',
      'send the error reports still queued',
    ]);
  });

  test('a handle left open after clean-up is named in the log and the process exits anyway', async () => {
    await t.pool.query('TRUNCATE prompts CASCADE');
    await chatgptRuns(t.pool, 3, 'an answer');
    const worker = spawnWorker([...CHATGPT, '--once', '--no-maintenance'], {
      DATABASE_URL: t.url,
      SCRIPTED_CLOSE: 'linger',
    });
    assert.equal(await exitWithin(worker, 30_000), 0, worker.stderr());
    const lingering = worker.logs.find((line) => line.event === 'shutdown:lingering');
    assert.ok((lingering?.resources as string[] | undefined)?.includes('Timeout'), JSON.stringify(lingering));
  });

  test('after its PostgreSQL server restarted mid-batch, a worker stops on SIGTERM and exits by itself', async () => {
    const server = await OwnPostgres.start(40);
    try {
      const admin = new pg.Pool({ connectionString: server.url, max: 2 });
      admin.on('error', () => {});
      await migrate(admin);
      await chatgptRuns(admin, 400, 'sleep:200');
      const worker = spawnWorker([...CHATGPT, '--concurrency', '3', '--lease-seconds', '10'], {
        DATABASE_URL: server.url,
        DB_CONNECT_TIMEOUT_SECONDS: '60',
      });
      const doneRuns = async () =>
        Number((await admin.query(`SELECT count(*) AS n FROM prompt_runs WHERE status = 'done'`)).rows[0].n);
      await waitFor(async () => (await doneRuns()) >= 10, 60_000, 'ten runs done');
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await server.restart();
      const before = await doneRuns();
      await waitFor(
        async () => (await doneRuns()) >= before + 10,
        60_000,
        'ten more runs done after the restart',
      );
      worker.child.kill('SIGTERM');
      assert.equal(await exitWithin(worker, 30_000), 0, worker.stderr());
      assert.ok(events(worker).includes('db:waiting') || events(worker).includes('listen:lost'));
      assert.ok(!events(worker).includes('shutdown:step:timeout'), 'every clean-up step finished');
      assert.ok(!events(worker).includes('shutdown:lingering'), 'nothing held the process open');
      await admin.end();
    } finally {
      await server.destroy();
    }
  });
});
