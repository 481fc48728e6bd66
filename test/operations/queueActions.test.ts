import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { listDeadRuns } from '../../src/operations/deadRuns.ts';
import { pauseSource, resumeSource } from '../../src/operations/pauseSource.ts';
import { listQueueHealth } from '../../src/operations/queueHealth.ts';
import { retryDeadRuns } from '../../src/operations/retryDeadRuns.ts';
import { findRunArtifact } from '../../src/operations/runArtifacts.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';
import { deadRun } from './fixtures.ts';

let t: TestDatabase;
let artifactsRoot: string;
before(async () => {
  t = await createTestDatabase();
  artifactsRoot = await mkdtemp(join(tmpdir(), 'avt-artifacts-'));
});
after(async () => {
  await t.drop();
  await rm(artifactsRoot, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts');
  await t.pool.query('UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL');
  await onlySources(t.pool, 'chatgpt', 'gemini');
});

async function runState(id: number) {
  const { rows } = await t.pool.query(
    'SELECT status, attempts, finished_at IS NULL AS unfinished, run_after <= now() AS due FROM prompt_runs WHERE id = $1',
    [id],
  );
  return rows[0];
}

describe('retryDeadRuns', () => {
  test('a retried dead run is queued with its attempts reset, due now, and claimable; its workers are woken', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query('LISTEN prompt_runs_queued');
    try {
      const id = await deadRun(t.pool, { source: 'gemini' });
      heard.length = 0;
      assert.equal(await retryDeadRuns(t.db, { aiSource: 'gemini' }), 1);
      assert.deepEqual(await runState(id), { status: 'queued', attempts: 0, unfinished: true, due: true });
      await waitFor(() => heard.includes('gemini'), 5_000, 'the gemini wake-up');
      const lease = await claim(t.pool, { source: 'gemini' });
      assert.equal(Number(lease?.runId), id);
      assert.equal(lease?.attempt, 1, 'a fresh set of attempts');
    } finally {
      await listener.end();
    }
  });

  test('filters combine: source, dead since, run ids; runs that are not dead are never touched', async () => {
    const old = await deadRun(t.pool, { source: 'chatgpt', text: 'old' });
    await t.pool.query(`UPDATE prompt_runs SET finished_at = now() - interval '2 days' WHERE id = $1`, [old]);
    const recent = await deadRun(t.pool, { source: 'chatgpt', text: 'recent' });
    const other = await deadRun(t.pool, { source: 'gemini', text: 'other' });
    const since = new Date(Date.now() - 86_400_000).toISOString();

    assert.equal(await retryDeadRuns(t.db, { aiSource: 'chatgpt', since, runIds: [old, other] }), 0);
    assert.equal(await retryDeadRuns(t.db, { aiSource: 'chatgpt', since }), 1);
    assert.equal((await runState(recent))?.status, 'queued');
    assert.equal((await runState(old))?.status, 'dead');
    assert.equal(await retryDeadRuns(t.db, { runIds: [old, recent] }), 1, 'recent is queued, not dead');
    assert.equal((await runState(other))?.status, 'dead');
    assert.equal(await retryDeadRuns(t.db), 1);
    assert.equal((await runState(other))?.status, 'queued');
  });

  test('an unknown source, a bad since and empty run ids are refused with what to change', async () => {
    await deadRun(t.pool);
    await assert.rejects(retryDeadRuns(t.db, { aiSource: 'chatgtp' }), {
      name: 'UnknownSourceError',
      message:
        "unknown AI source 'chatgtp'; known sources: chatgpt, claude, copilot, gemini, google_ai_overview, perplexity",
    });
    await assert.rejects(retryDeadRuns(t.db, { since: 'yesterday' }), {
      name: 'InvalidInputError',
      message: /^since must be an ISO 8601 timestamp with its offset .* got 'yesterday'$/,
    });
    await assert.rejects(retryDeadRuns(t.db, { since: '2025-06-01T12:00:00' }), {
      message: /with its offset/,
    });
    await assert.rejects(retryDeadRuns(t.db, { runIds: [] }), { message: /run_ids is empty/ });
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS dead FROM prompt_runs WHERE status = 'dead'`,
    );
    assert.equal(rows[0]?.dead, 1, 'nothing was retried');
  });
});

describe('pauseSource and resumeSource', () => {
  test('a paused source gives no claims until it is resumed; the queue shows the pause and its reason', async () => {
    await addPrompts(t.pool, ['waiting']);
    const paused = await pauseSource(t.db, 'chatgpt', { reason: 'refreshing the session' });
    assert.deepEqual(paused, { ai_source: 'chatgpt', paused_until: 'infinity' });
    assert.equal(await claim(t.pool, { source: 'chatgpt' }), null);
    const row = (await listQueueHealth(t.db)).find((r) => r.ai_source === 'chatgpt');
    assert.equal(row?.paused_until, 'infinity');
    assert.equal(row?.pause_reason, 'refreshing the session');
    assert.equal(row?.eligible, 1);
    assert.ok(typeof row?.oldest_eligible_age === 'number' && row.oldest_eligible_age >= 0);

    assert.deepEqual(await resumeSource(t.db, 'chatgpt'), { ai_source: 'chatgpt', paused_until: null });
    assert.equal((await claim(t.pool, { source: 'chatgpt' }))?.promptText, 'waiting');
  });

  test('a pause until a time stores that time, and claims start again after it', async () => {
    await addPrompts(t.pool, ['later']);
    const until = new Date(Date.now() + 3_600_000);
    const paused = await pauseSource(t.db, 'gemini', { until: until.toISOString() });
    assert.equal(Date.parse(paused.paused_until ?? ''), until.getTime());
    assert.equal(await claim(t.pool, { source: 'gemini' }), null);
    assert.ok(await claim(t.pool, { source: 'gemini', now: `now() + interval '2 hours'` }));
  });

  test('an unknown source, a past until and a bad timestamp are refused, and nothing is paused', async () => {
    await assert.rejects(pauseSource(t.db, 'nope'), {
      name: 'UnknownSourceError',
      message: /known sources: chatgpt, claude/,
    });
    await assert.rejects(resumeSource(t.db, 'nope'), { name: 'UnknownSourceError' });
    await assert.rejects(pauseSource(t.db, 'chatgpt', { until: '2020-01-01T00:00:00Z' }), {
      name: 'InvalidInputError',
      message: 'until (2020-01-01T00:00:00Z) is not in the future: leave it out to pause until resumed',
    });
    await assert.rejects(pauseSource(t.db, 'chatgpt', { until: 'tomorrow' }), { name: 'InvalidInputError' });
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS paused FROM ai_sources WHERE paused_until IS NOT NULL',
    );
    assert.equal(rows[0]?.paused, 0);
  });
});

describe('listDeadRuns and findRunArtifact', () => {
  test('pages through dead runs, newest first, with the files their attempts saved', async () => {
    const dir = join(artifactsRoot, 'paged');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'screenshot.png'), 'png');
    await writeFile(join(dir, 'page.html'), '<p>hi</p>');
    const ids: number[] = [];
    for (const text of ['one', 'two', 'three']) ids.push(await deadRun(t.pool, { text, artifactsPath: dir }));
    // Same finish time for two runs: the id breaks the tie, so no run is skipped or shown twice.
    await t.pool.query(
      `UPDATE prompt_runs SET finished_at = '2025-06-01T10:00:00.123456Z' WHERE id = ANY($1)`,
      [ids.slice(0, 2)],
    );

    const first = await listDeadRuns(t.db, { limit: 2 });
    assert.deepEqual(
      first.rows.map((run) => run.prompt),
      ['three', 'two'],
    );
    assert.deepEqual(first.rows[0]?.artifacts, [
      { attempt: 1, file: 'page.html' },
      { attempt: 1, file: 'screenshot.png' },
    ]);
    assert.equal(first.rows[0]?.last_error, 'bad_input: the prompt cannot be run');
    assert.equal(first.rows[1]?.finished_at, '2025-06-01T10:00:00.123456+00:00');
    assert.ok(first.nextCursor);
    const second = await listDeadRuns(t.db, { limit: 2, cursor: first.nextCursor });
    assert.deepEqual(
      second.rows.map((run) => run.prompt),
      ['one'],
    );
    assert.equal(second.nextCursor, null);
    assert.deepEqual((await listDeadRuns(t.db, { aiSource: 'gemini' })).rows, []);
    await assert.rejects(listDeadRuns(t.db, { cursor: 'garbage' }), {
      name: 'InvalidInputError',
      message: /cursor/,
    });
  });

  test('hands out only files inside the attempt artifacts directory', async () => {
    const dir = join(artifactsRoot, 'attempt');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'screenshot.png'), 'png bytes');
    await writeFile(join(artifactsRoot, 'secret.txt'), 'not yours');
    await symlink(join(artifactsRoot, 'secret.txt'), join(dir, 'link.txt'));
    const id = await deadRun(t.pool, { artifactsPath: dir });

    const found = await findRunArtifact(t.db, id, 1, 'screenshot.png');
    assert.equal(found.size, 'png bytes'.length);
    assert.equal(found.path, join(dir, 'screenshot.png'));
    for (const name of ['../secret.txt', '..', '.hidden', '/etc/passwd', 'a/b']) {
      await assert.rejects(findRunArtifact(t.db, id, 1, name), { name: 'InvalidInputError' }, name);
    }
    await assert.rejects(findRunArtifact(t.db, id, 1, 'link.txt'), { name: 'ArtifactNotFoundError' });
    await assert.rejects(findRunArtifact(t.db, id, 1, 'trace.zip'), { name: 'ArtifactNotFoundError' });
    await assert.rejects(findRunArtifact(t.db, id, 2, 'screenshot.png'), {
      name: 'ArtifactNotFoundError',
      message: `run ${id} has no attempt 2 with saved artifacts`,
    });
  });
});
