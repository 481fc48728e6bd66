import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PLATFORMS } from '../../src/platforms/selectors.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { spawnBin } from '../helpers/workerProcess.ts';

const mockPrefix = (source: string) => (source === 'google_ai_overview' ? 'google' : source);

test('avt mock + one worker per source + 30 prompts inserted with SQL: every run done, one response each, artifacts for injected faults', {
  timeout: 900_000,
}, async () => {
  const t = await createTestDatabase();
  const artifacts = await mkdtemp(join(tmpdir(), 'avt-e2e-'));
  // 15% of answers fail with a server error; retried at once (no backoff) until they succeed.
  const mock = spawnBin(
    'avt',
    ['mock', '--port', '0', '--latency-ms', '300', '--faults', '500=0.15', '--seed', '11'],
    {},
  );
  const workers: ReturnType<typeof spawnBin>[] = [];
  try {
    const listening = await mock.waitForLog((line) => line.event === 'mock:listening');
    const mockUrl = listening.url as string;
    await t.pool.query(
      'UPDATE ai_sources SET backoff_base_seconds = 0, backoff_cap_seconds = 0, max_attempts = 20, max_concurrency = NULL',
    );
    await t.pool.query(
      `INSERT INTO prompts (text) SELECT 'Which CRM suits team #' || i || '?' FROM generate_series(1, 30) AS i`,
    );
    for (const [index, source] of PLATFORMS.entries()) {
      workers.push(
        spawnBin(
          'worker',
          [
            '--ai-source',
            source,
            '--worker-id',
            String(index + 1),
            '--browser',
            'shared',
            '--concurrency',
            '2',
            '--no-maintenance',
            '--once',
            '--stable-ms',
            '300',
            '--artifacts-dir',
            artifacts,
            '--base-url',
            `${mockUrl}/${mockPrefix(source)}/`,
          ],
          { DATABASE_URL: t.url },
        ),
      );
    }
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    assert.deepEqual(codes, [0, 0, 0, 0, 0, 0], workers.map((w) => w.stderr()).join('\n'));

    const { rows } = await t.pool.query(
      `SELECT ai_source, count(*)::int AS runs, count(*) FILTER (WHERE status = 'done')::int AS done
       FROM prompt_runs GROUP BY ai_source ORDER BY ai_source`,
    );
    assert.deepEqual(
      rows,
      [...PLATFORMS].sort().map((source) => ({ ai_source: source, runs: 30, done: 30 })),
    );
    const { rows: responses } = await t.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT run_id)::int AS runs,
              count(*) FILTER (WHERE answer_text <> '')::int AS answered,
              count(*) FILTER (WHERE model IS NOT NULL)::int AS with_model
       FROM responses`,
    );
    assert.equal(responses[0].n, 180);
    assert.equal(responses[0].runs, 180);
    assert.equal(responses[0].answered, 180);
    assert.equal(responses[0].with_model, 150, 'every source but Google shows a model label');
    const { rows: cited } = await t.pool.query('SELECT count(DISTINCT response_id)::int AS n FROM citations');
    assert.equal(cited[0].n, 180);

    const { rows: failed } = await t.pool.query(
      `SELECT error_kind, artifacts_path FROM run_attempts WHERE outcome = 'retry' ORDER BY id`,
    );
    assert.ok(failed.length > 0, 'the injected faults failed some attempts');
    for (const attempt of failed) {
      assert.equal(attempt.error_kind, 'navigation');
      await access(join(attempt.artifacts_path, 'page.html'));
      // A screenshot, or the reason Chromium could not take one (on a saturated machine it may time out).
      await access(join(attempt.artifacts_path, 'screenshot.png')).catch(() =>
        access(join(attempt.artifacts_path, 'screenshot-error.txt')),
      );
    }
    const stats = (await (await fetch(`${mockUrl}/stats`)).json()) as Record<
      string,
      { faults: Record<string, number> }
    >;
    const { llm: _llm, ...flavours } = stats;
    const injected = Object.values(flavours).reduce((sum, flavour) => sum + (flavour.faults['500'] ?? 0), 0);
    assert.equal(failed.length, injected, 'every injected fault is one failed attempt');
  } finally {
    for (const worker of workers) worker.child.kill('SIGTERM');
    mock.child.kill('SIGTERM');
    await mock.exited;
    await t.drop();
    await rm(artifacts, { recursive: true, force: true });
  }
});
