import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

test('three workers with maintenance on make one tracking round per cron tick, not three, and compact the daily figures', async () => {
  const t = await createTestDatabase();
  try {
    await t.pool.query(
      `UPDATE ai_sources SET enabled = name IN ('chatgpt', 'gemini'), samples_per_round = 2`,
    );
    // Prompts exist before the round; their own first runs (round 1) are cancelled so the workers stay idle.
    await t.pool.query(`INSERT INTO prompts (text) SELECT 'hang #' || i FROM generate_series(1, 5) AS i`);
    await t.pool.query(`INSERT INTO prompts (text, active) VALUES ('inactive', false)`);
    await t.pool.query(`UPDATE prompt_runs SET status = 'cancelled'`);
    await t.pool.query(`UPDATE ai_sources SET paused_until = 'infinity'`);
    // Two answers of one group: two rows of daily figures until compaction folds them into one.
    await t.pool.query(
      `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text)
       SELECT 0, id, 'chatgpt', 'an answer' FROM prompts WHERE text = 'inactive'`,
    );
    await t.pool.query(
      `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text)
       SELECT 0, id, 'chatgpt', 'another answer' FROM prompts WHERE text = 'inactive'`,
    );
    const workers = [1, 2, 3].map((id) =>
      spawnWorker(['--ai-source', 'chatgpt', '--worker-id', String(id)], {
        DATABASE_URL: t.url,
        TRACKING_CRON: '* * * * *',
      }),
    );
    try {
      const round = await waitFor(
        async () => {
          const { rows } = await t.pool.query(`SELECT id, scheduled_for FROM rounds WHERE reason = 'cron'`);
          return rows[0];
        },
        75_000,
        'the first cron tick',
      );
      // Give the other replicas time to fire the same tick.
      await Promise.all(
        workers.map((w) =>
          w.waitForLog((line) => line.event === 'round:scheduled' || line.event === 'worker:started'),
        ),
      );
      await waitFor(async () => {
        const { rows } = await t.pool.query(
          `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks k ON k.id = j.task_id WHERE k.identifier = 'schedule_round'`,
        );
        return rows[0].n === 0;
      }, 10_000);
      const { rows: rounds } = await t.pool.query(
        `SELECT count(*)::int AS n FROM rounds WHERE reason = 'cron'`,
      );
      assert.equal(rounds[0].n, 1);
      const { rows: runs } = await t.pool.query(
        'SELECT ai_source, count(*)::int AS n FROM prompt_runs WHERE round = $1 GROUP BY ai_source ORDER BY ai_source',
        [round.id],
      );
      assert.deepEqual(runs, [
        { ai_source: 'chatgpt', n: 10 },
        { ai_source: 'gemini', n: 10 },
      ]);
      const folded = await waitFor(async () => {
        const { rows } = await t.pool.query(
          `SELECT count(*)::int AS n, sum(answers)::int AS answers FROM daily_answers`,
        );
        return rows[0].n === 1 ? rows[0] : undefined;
      }, 70_000);
      assert.deepEqual(folded, { n: 1, answers: 2 }, 'the two rows folded into one, the figure kept');
    } finally {
      for (const worker of workers) worker.child.kill('SIGTERM');
      const codes = await Promise.all(workers.map((w) => w.exited));
      assert.deepEqual(codes, [0, 0, 0]);
    }
  } finally {
    await t.drop();
  }
});

test('schedule_round for the same tick is idempotent, and `avt round` starts one on demand', async () => {
  const t = await createTestDatabase();
  try {
    await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'claude')`);
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('a'), ('b')`);
    const tick = '2026-12-01T06:00:00Z';
    const results = await Promise.all(
      [1, 2, 3].map(() => t.pool.query('SELECT * FROM schedule_round($1, $2::timestamptz)', ['cron', tick])),
    );
    const ids = new Set(results.map((r) => r.rows[0].round_id));
    const created = results.map((r) => Number(r.rows[0].runs_created)).sort();
    assert.equal(ids.size, 1);
    assert.deepEqual(created, [0, 0, 2]);

    const manual = await runBin('avt', ['round', '--reason', 'launch day'], { DATABASE_URL: t.url });
    assert.equal(manual.code, 0, manual.stderr);
    assert.match(manual.stdout, /^round \d+: 2 runs queued$/m);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM rounds WHERE reason = 'launch day'`);
    assert.equal(rows[0].n, 1);
  } finally {
    await t.drop();
  }
});

test('a connection cut while graphile-worker records a job done: the worker stays up and its background tasks start again', async () => {
  const t = await createTestDatabase();
  try {
    await t.pool.query(`UPDATE ai_sources SET paused_until = 'infinity'`);
    const worker = spawnWorker(['--ai-source', 'chatgpt', '--worker-id', '1'], { DATABASE_URL: t.url });
    try {
      await worker.waitForLog((line) => line.event === 'worker:started', 30_000);
      // The first job graphile-worker marks done has its session terminated mid-statement, once: a sequence,
      // not a table, counts the cuts because the terminated transaction rolls back.
      await t.pool.query(`
        CREATE SEQUENCE completions_cut;
        CREATE FUNCTION cut_first_completion() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('completions_cut') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
          RETURN OLD;
        END $$;
        CREATE TRIGGER cut_first_completion BEFORE DELETE ON graphile_worker._private_jobs
          FOR EACH ROW EXECUTE FUNCTION cut_first_completion();`);
      await t.pool.query(`SELECT graphile_worker.add_job('compact_daily_figures')`);
      const stopped = await worker.waitForLog((line) => line.event === 'maintenance:stopped', 30_000);
      assert.match(
        String(stopped.msg),
        /^the background tasks stopped \(completeJob failed: terminating connection due to administrator command\); starting them again in 1 s$/,
      );
      await worker.waitForLog((line) => line.event === 'maintenance:restarted', 30_000);

      const { rows } = await t.pool.query(
        `SELECT (graphile_worker.add_job('compact_daily_figures')).id::int AS id`,
      );
      await waitFor(
        async () => {
          const left = await t.pool.query('SELECT 1 FROM graphile_worker._private_jobs WHERE id = $1', [
            rows[0].id,
          ]);
          return left.rowCount === 0;
        },
        30_000,
        'the job queued after the restart to be done',
      );
      assert.equal(worker.child.exitCode, null, `the worker exited: ${worker.stderr()}`);
    } finally {
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    }
  } finally {
    await t.drop();
  }
});
