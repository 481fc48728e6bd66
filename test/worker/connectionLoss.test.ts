// A worker that loses the database while a job runs keeps the job's result: it waits for a connection, says
// what it waits for, and commits the same capture once the server takes it again (one response, one attempt),
// instead of throwing the capture away and running the prompt a second time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { createLogin, dropLogins, type Login } from '../helpers/logins.ts';
import { type LogLine, type SpawnedWorker, spawnWorker } from '../helpers/workerProcess.ts';

const ONE_RUNNING = `SELECT 1 FROM prompt_runs WHERE status = 'running'`;

/**
 * A worker connecting as `login` claims the one prompt `prompt` and is then cut off mid-job: its role may open
 * no connection (53300) and the ones it had are terminated. Resolves once it logs that it waits to commit.
 */
async function cutOffMidJob(
  t: TestDatabase,
  login: Login,
  prompt: string,
  args: string[],
): Promise<{ worker: SpawnedWorker; waiting: LogLine }> {
  await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL`);
  await t.pool.query('INSERT INTO prompts (text) VALUES ($1)', [prompt]);
  const worker = spawnWorker(
    [...['--ai-source', 'chatgpt', '--worker-id', '1', '--no-maintenance', '--no-migrate'], ...args],
    { DATABASE_URL: login.url, POLL_INTERVAL_MS: '200' },
  );
  try {
    await waitFor(async () => (await t.pool.query(ONE_RUNNING)).rowCount === 1, 60_000, 'the run claimed');
    await t.pool.query(`ALTER ROLE ${login.name} CONNECTION LIMIT 0`);
    await t.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()',
      [login.name],
    );
    const waiting = await worker.waitForLog(
      (line) => line.event === 'db:waiting' && line.step === 'commit the result',
      30_000,
    );
    return { worker, waiting };
  } catch (error) {
    worker.child.kill('SIGKILL');
    throw error;
  }
}

test('connections refused while a job runs: the worker waits, says so, and commits that capture once it can', {
  timeout: 120_000,
}, async () => {
  const t = await createTestDatabase();
  const login = await createLogin(t, 'avt_worker');
  try {
    const { worker, waiting } = await cutOffMidJob(t, login, 'sleep:3000 a long answer', [
      '--lease-seconds',
      '60',
    ]);
    try {
      assert.match(
        String(waiting.msg),
        /^waiting for the database to commit the result \(too many connections for role .+\); retrying in \d+ ms$/,
      );
      assert.equal(
        (await t.pool.query(ONE_RUNNING)).rowCount,
        1,
        'the run is still held while the worker waits',
      );
      await t.pool.query(`ALTER ROLE ${login.name} CONNECTION LIMIT -1`);
      await waitFor(
        async () => (await t.pool.query(`SELECT 1 FROM prompt_runs WHERE status = 'done'`)).rowCount === 1,
        30_000,
        'the run done',
      );
    } finally {
      await t.pool.query(`ALTER ROLE ${login.name} CONNECTION LIMIT -1`);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
    const { rows: attempts } = await t.pool.query('SELECT attempt, outcome FROM run_attempts ORDER BY id');
    assert.deepEqual(
      attempts,
      [{ attempt: 1, outcome: 'done' }],
      'the first capture was committed, not re-run',
    );
    const { rows } = await t.pool.query<{ n: string }>('SELECT count(*) AS n FROM responses');
    assert.equal(rows[0]?.n, '1');
  } finally {
    await dropLogins(t, [login]);
    await t.drop();
  }
});

test('SIGTERM while a commit waits for the database: the worker stops within its grace, not its lease', {
  timeout: 120_000,
}, async () => {
  const t = await createTestDatabase();
  const login = await createLogin(t, 'avt_worker');
  try {
    const { worker } = await cutOffMidJob(t, login, 'sleep:2000 an answer', [
      '--lease-seconds',
      '120',
      '--shutdown-grace-seconds',
      '2',
    ]);
    try {
      const signalled = Date.now();
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
      const seconds = (Date.now() - signalled) / 1000;
      assert.ok(seconds < 20, `stopped ${seconds} s after SIGTERM (grace 2 s, lease 120 s)`);
    } finally {
      worker.child.kill('SIGKILL');
      await t.pool.query(`ALTER ROLE ${login.name} CONNECTION LIMIT -1`);
    }
    const { rows } = await t.pool.query<{ responses: string }>('SELECT count(*) AS responses FROM responses');
    assert.equal(rows[0]?.responses, '0', 'nothing committed after the worker gave up');
  } finally {
    await dropLogins(t, [login]);
    await t.drop();
  }
});
