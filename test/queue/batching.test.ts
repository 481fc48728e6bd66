import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runMigrations } from 'graphile-worker';
import type pg from 'pg';
import type { Queryable } from '../../src/db/queryable.ts';
import {
  type ClaimedRun,
  claimNextPrompts,
  commitResult,
  commitResults,
  LeaseLostError,
  QueueClient,
  type RunResult,
} from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, answer, onlySources, runSnapshot } from '../helpers/queue.ts';

let t: TestDatabase;
let acme: string;
before(async () => {
  t = await createTestDatabase();
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO brands (name, domains) VALUES ('Acme', '{acme.com}') RETURNING id`,
  );
  acme = rows[0]?.id ?? '';
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses, brand_mentions, citations');
  await t.pool.query('UPDATE ai_sources SET max_concurrency = NULL');
  await onlySources(t.pool, 'chatgpt');
});

const PARAMS = { workerId: 1, aiSource: 'chatgpt', workerTag: 'batching-test' };

async function claimRuns(n: number): Promise<ClaimedRun[]> {
  await addPrompts(
    t.pool,
    Array.from({ length: n }, (_, i) => `prompt ${i}`),
  );
  const runs = await claimNextPrompts(t.pool, PARAMS, n);
  assert.equal(runs.length, n);
  return runs;
}

async function answers(): Promise<Record<string, string[]>> {
  const { rows } = await t.pool.query<{ run_id: string; texts: string[] }>(
    'SELECT run_id::text, array_agg(answer_text ORDER BY id) AS texts FROM responses GROUP BY run_id',
  );
  return Object.fromEntries(rows.map((row) => [row.run_id, row.texts]));
}

/** The pool, counting the statements sent through it by their text. */
function counting(pool: pg.Pool): { db: Queryable; sent: (fragment: string) => number } {
  const texts: string[] = [];
  const db = {
    query: (config: pg.QueryConfig) => {
      texts.push(config.text);
      return pool.query(config);
    },
  } as unknown as Queryable;
  return { db, sent: (fragment) => texts.filter((text) => text.includes(fragment)).length };
}

describe('commit_prompt_run_results', () => {
  test('commits each run whose lease holds; a run whose lease was lost writes nothing, alone', async () => {
    const [a, b, c] = (await claimRuns(3)) as [ClaimedRun, ClaimedRun, ClaimedRun];
    await commitResult(t.pool, b, answer('b, first commit'));
    const bBefore = await runSnapshot(t.pool, b.runId);

    const ids = await commitResults(t.pool, [
      { run: a, result: answer('a') },
      { run: b, result: answer('b, late') },
      { run: c, result: answer('c') },
    ]);
    assert.equal(ids[1], null);
    assert.ok(ids[0] && ids[2], `a committed run got no response id: ${JSON.stringify(ids)}`);
    assert.deepEqual(await answers(), {
      [a.runId]: ['a'],
      [b.runId]: ['b, first commit'],
      [c.runId]: ['c'],
    });
    assert.equal(await runSnapshot(t.pool, b.runId), bBefore, 'the run whose lease was lost changed');
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM prompt_runs r JOIN run_attempts x ON x.run_id = r.id
       WHERE r.status = 'done' AND x.outcome = 'done'`,
    );
    assert.equal(rows[0].n, 3);
  });

  test("each run's mentions and citations land on its own response", async () => {
    const runs = await claimRuns(2);
    const result = (n: number): RunResult => ({
      response: { answerText: `answer ${n}` },
      mentions: Array.from({ length: n }, (_, i) => ({
        brandId: acme,
        brandName: 'Acme',
        position: i + 1,
        mentionCount: 1,
      })),
      citations: [{ position: 1, url: `https://acme.com/${n}`, domain: 'acme.com' }],
    });
    await commitResults(
      t.pool,
      runs.map((run, i) => ({ run, result: result(i + 1) })),
    );
    const { rows } = await t.pool.query(
      `SELECT r.answer_text,
              (SELECT count(*)::int FROM brand_mentions m WHERE m.response_id = r.id) AS mentions,
              (SELECT string_agg(c.url, ' ') FROM citations c WHERE c.response_id = r.id) AS urls
       FROM responses r ORDER BY r.answer_text`,
    );
    assert.deepEqual(rows, [
      { answer_text: 'answer 1', mentions: 1, urls: 'https://acme.com/1' },
      { answer_text: 'answer 2', mentions: 2, urls: 'https://acme.com/2' },
    ]);
  });

  test('a run given twice, or a result without its lease, is refused and nothing is written', async () => {
    const [a, b] = (await claimRuns(2)) as [ClaimedRun, ClaimedRun];
    const before = [await runSnapshot(t.pool, a.runId), await runSnapshot(t.pool, b.runId)];
    await assert.rejects(
      commitResults(t.pool, [
        { run: a, result: answer() },
        { run: b, result: answer() },
        { run: a, result: answer() },
      ]),
      new RegExp(`run ${a.runId} appears more than once in results`),
    );
    await assert.rejects(
      t.pool.query(
        `SELECT * FROM commit_prompt_run_results(jsonb_build_array(jsonb_build_object('run_id', $1::bigint)))`,
        [a.runId],
      ),
      /result 1 has no run_id or no lease_token/,
    );
    await assert.rejects(
      t.pool.query(`SELECT * FROM commit_prompt_run_results('{}')`),
      /results must be a JSON array, got object/,
    );
    assert.deepEqual([await runSnapshot(t.pool, a.runId), await runSnapshot(t.pool, b.runId)], before);
  });
});

describe('QueueClient', () => {
  test('slots that claim together share one statement, and each gets a run of its own', async () => {
    await addPrompts(t.pool, ['a', 'b', 'c', 'd']);
    const { db, sent } = counting(t.pool);
    const queue = new QueueClient(db, PARAMS);
    const runs = await Promise.all(Array.from({ length: 5 }, () => queue.claim()));
    assert.equal(sent('claim_next_prompts'), 1);
    const got = runs.filter((run): run is ClaimedRun => run !== null);
    assert.equal(got.length, 4, 'four runs for five slots');
    assert.equal(new Set(got.map((run) => run.runId)).size, 4, 'a run handed to two slots');

    await Promise.all(got.map((run) => queue.commit(run, answer(`answer ${run.promptText}`))));
    assert.equal(sent('commit_prompt_run_results'), 1);
    assert.equal(Object.keys(await answers()).length, 4);
  });

  test('in a batch of commits, a bad result fails only its own job, and a lost lease only its own', async () => {
    const [good, bad, lost] = (await claimRuns(3)) as [ClaimedRun, ClaimedRun, ClaimedRun];
    await commitResult(t.pool, lost, answer('lost, first commit'));
    const badBefore = await runSnapshot(t.pool, bad.runId);
    const { db, sent } = counting(t.pool);
    const queue = new QueueClient(db, PARAMS);

    const broken = answer('bad') as RunResult;
    broken.response.durationMs = -1;
    const [goodOutcome, badOutcome, lostOutcome] = await Promise.allSettled([
      queue.commit(good, answer('good')),
      queue.commit(bad, broken),
      queue.commit(lost, answer('lost, late')),
    ]);
    assert.equal(goodOutcome.status, 'fulfilled', String((goodOutcome as PromiseRejectedResult).reason));
    assert.equal(badOutcome.status, 'rejected');
    assert.equal((badOutcome.reason as pg.DatabaseError).code, '23514', String(badOutcome.reason));
    assert.equal(lostOutcome.status, 'rejected');
    assert.ok(lostOutcome.reason instanceof LeaseLostError, String(lostOutcome.reason));
    // The batch was refused as a whole, then each commit was sent alone.
    assert.equal(sent('commit_prompt_run_results'), 4);
    assert.deepEqual(await answers(), { [good.runId]: ['good'], [lost.runId]: ['lost, first commit'] });
    assert.equal(await runSnapshot(t.pool, bad.runId), badBefore, 'the run with the bad result changed');
  });

  test('failures of slots that fail together share one statement: each run its status, pause and alerts', async () => {
    await runMigrations({ pgPool: t.pool, logger: undefined });
    await t.pool.query('UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL, max_attempts = 3');
    await t.pool.query('DELETE FROM graphile_worker._private_jobs');
    const [dead, retried, paused, lost] = (await claimRuns(4)) as [
      ClaimedRun,
      ClaimedRun,
      ClaimedRun,
      ClaimedRun,
    ];
    await commitResult(t.pool, lost, answer('lost, committed first'));
    const { db, sent } = counting(t.pool);
    const queue = new QueueClient(db, PARAMS);
    const alert = (run: ClaimedRun, text: string) => ({
      event: 'run_dead',
      aiSource: 'chatgpt',
      runId: run.runId,
      text,
    });

    const outcomes = await Promise.allSettled([
      queue.fail(dead, {
        failure: { kind: 'bad_input', message: 'empty', artifactsPath: '/artifacts/dead' },
        deadAlert: alert(dead, 'dead after {attempts} attempt(s)'),
      }),
      queue.fail(retried, {
        failure: { kind: 'timeout', message: 'slow' },
        deadAlert: alert(retried, 'never'),
      }),
      queue.fail(paused, {
        failure: { kind: 'captcha', message: 'bot check' },
        pauseSource: { seconds: 'until_resumed', reason: 'captcha: bot check' },
        pauseAlert: { event: 'source_paused', aiSource: 'chatgpt', text: 'paused' },
      }),
      queue.fail(lost, { failure: { kind: 'timeout', message: 'late' } }),
    ]);
    assert.equal(sent('record_prompt_run_failures'), 1);
    assert.deepEqual(
      outcomes.slice(0, 3).map((outcome) => (outcome as PromiseFulfilledResult<string>).value),
      ['dead', 'queued', 'queued'],
    );
    assert.equal(outcomes[3]?.status, 'rejected');
    assert.ok((outcomes[3] as PromiseRejectedResult).reason instanceof LeaseLostError);

    const { rows: attempts } = await t.pool.query<{
      run_id: string;
      outcome: string;
      artifacts_path: string | null;
    }>(
      'SELECT run_id::text, outcome, artifacts_path FROM run_attempts WHERE run_id = ANY($1) ORDER BY run_id',
      [[dead.runId, retried.runId, paused.runId]],
    );
    assert.deepEqual(
      attempts.map((a) => [a.run_id, a.outcome, a.artifacts_path]),
      [
        [dead.runId, 'dead', '/artifacts/dead'],
        [retried.runId, 'retry', null],
        [paused.runId, 'retry', null],
      ],
    );
    const { rows: source } = await t.pool.query(
      `SELECT paused_until = 'infinity' AS forever, pause_reason FROM ai_sources WHERE name = 'chatgpt'`,
    );
    assert.deepEqual(source, [{ forever: true, pause_reason: 'captcha: bot check' }]);
    const { rows: jobs } = await t.pool.query<{ payload: { text: string } }>(
      `SELECT j.payload FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks k ON k.id = j.task_id WHERE k.identifier = 'send_alert' ORDER BY j.id`,
    );
    assert.deepEqual(
      jobs.map((job) => job.payload.text),
      ['dead after 1 attempt(s)', 'paused'],
    );
    await t.pool.query('UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL');
  });

  test('in a batch of failures, an unknown error kind fails only its own job', async () => {
    const [good, bad] = (await claimRuns(2)) as [ClaimedRun, ClaimedRun];
    const { db, sent } = counting(t.pool);
    const queue = new QueueClient(db, PARAMS);
    const [goodOutcome, badOutcome] = await Promise.allSettled([
      queue.fail(good, { failure: { kind: 'timeout', message: 'slow' } }),
      queue.fail(bad, { failure: { kind: 'no_such_kind', message: '?' } }),
    ]);
    assert.deepEqual(goodOutcome, { status: 'fulfilled', value: 'queued' });
    assert.equal(badOutcome.status, 'rejected');
    assert.match(String(badOutcome.reason), /unknown error_kind 'no_such_kind'/);
    assert.equal(sent('record_prompt_run_failures'), 3, 'the batch, then each failure alone');
    const { rows } = await t.pool.query('SELECT status FROM prompt_runs WHERE id = $1', [bad.runId]);
    assert.deepEqual(rows, [{ status: 'running' }], 'the run with the bad failure kept its lease');
  });
});
