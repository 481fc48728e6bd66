// `avt reextract` (and its task, reextract_answers): stored answers read again after the brand list changed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { createExtractor } from '../../src/extract/createExtractor.ts';
import { reextractAnswers } from '../../src/tasks/reextractAnswers.ts';
import { startMaintenance } from '../../src/tasks/runner.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';

const logger = pino({ level: 'silent' });
let t: TestDatabase;

/** 30 answers over 3 days: every third names Acme (untracked at first), every answer names Globex. */
async function loadAnswers(): Promise<void> {
  await t.pool.query(`UPDATE ai_sources SET enabled = false`);
  await t.pool.query(`INSERT INTO brands (name, domains) VALUES ('Globex', '{globex.io}')`);
  await t.pool.query(`INSERT INTO prompts (text, active) VALUES ('best crm', false)`);
  await t.pool.query(`
    INSERT INTO responses (run_id, prompt_id, ai_source, captured_at, answer_text)
    SELECT 0, (SELECT id FROM prompts), CASE WHEN i % 2 = 0 THEN 'chatgpt' ELSE 'perplexity' END,
           timestamptz '2026-11-01 10:00Z' + (i % 3) * interval '1 day',
           CASE WHEN i % 3 = 0 THEN 'Globex is fine, but Acme CRM wins. See acme.com/pricing.'
                ELSE 'Globex is the pick.' END
    FROM generate_series(1, 30) AS i`);
  // What the rules found at the time: Globex only; acme.com cited, owned by nobody.
  await t.pool.query(`
    INSERT INTO brand_mentions (response_id, brand_id, brand_name, position)
    SELECT r.id, (SELECT id FROM brands WHERE name = 'Globex'), 'Globex', 1 FROM responses r`);
  await t.pool.query(`
    INSERT INTO citations (response_id, position, url, domain)
    SELECT r.id, 1, 'https://acme.com/pricing', 'acme.com' FROM responses r WHERE r.answer_text LIKE '%Acme%'`);
}

async function acme() {
  const { rows } = await t.pool.query<{ mentioned: string; cited: string }>(
    `SELECT (SELECT coalesce(sum(mentioned), 0)::text FROM brand_visibility WHERE brand = 'Acme') AS mentioned,
            (SELECT coalesce(sum(citations), 0)::text FROM brand_citations WHERE brand = 'Acme') AS cited`,
  );
  return rows[0];
}

before(async () => {
  t = await createTestDatabase();
  await loadAnswers();
  // The rules' reading while only Globex was tracked, as the workers stored it.
  const extraction = createExtractor(t.pool, undefined, logger);
  const filters = { since: '2026-11-01', until: null, aiSource: null, brand: null };
  await reextractAnswers(t.pool, extraction.extractor, filters, { batchSize: 50 });
  await extraction.close();
  await t.pool.query(
    `INSERT INTO brands (name, aliases, domains) VALUES ('Acme', '{Acme CRM}', '{acme.com}')`,
  );
});
after(async () => {
  await t.drop();
});

describe('avt reextract', () => {
  test('a brand added today: its past mentions and citations count once the answers are read again', async () => {
    assert.deepEqual(await acme(), { mentioned: '0', cited: '0' }, 'a new brand shows zeros in past groups');
    const run = await runBin('avt', ['reextract', '--since', '2026-11-01'], { DATABASE_URL: t.url });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^reextract run \d+: 30 answers read, 10 changed$/m);
    assert.deepEqual(await acme(), { mentioned: '10', cited: '10' });
    const { rows } = await t.pool.query(
      `SELECT (SELECT count(*)::int FROM brand_visibility v JOIN brand_visibility_recomputed r USING (day, ai_source, capture_mode, brand_id)
               WHERE v.mentioned <> r.mentioned OR v.answers <> r.answers) AS differing`,
    );
    assert.deepEqual(rows, [{ differing: 0 }], 'the figures equal their recomputation');
  });

  test('the same command again reads them again and changes nothing', async () => {
    const before = await t.pool.query('SELECT count(*)::int AS n FROM daily_brand_mentions');
    const run = await runBin('avt', ['reextract', '--since', '2026-11-01'], { DATABASE_URL: t.url });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /30 answers read, 0 changed/);
    const afterRun = await t.pool.query('SELECT count(*)::int AS n FROM daily_brand_mentions');
    assert.deepEqual(afterRun.rows, before.rows, 'an unchanged answer is not written');
  });

  test('stopped after a batch, the same filters resume the run where it was', async () => {
    await t.pool.query(`DELETE FROM brand_mentions WHERE brand_name = 'Acme'`);
    const extraction = createExtractor(t.pool, undefined, logger);
    const stop = new AbortController();
    const filters = { since: '2026-11-01', until: '2026-11-02', aiSource: null, brand: null };
    const first = await reextractAnswers(t.pool, extraction.extractor, filters, {
      batchSize: 4,
      signal: stop.signal,
      onBatch: () => stop.abort(),
    });
    assert.equal(first.finished, false);
    assert.equal(first.examined, 4);
    const second = await reextractAnswers(t.pool, extraction.extractor, filters, { batchSize: 4 });
    await extraction.close();
    assert.equal(second.runId, first.runId);
    assert.equal(second.resumed, true);
    assert.equal(second.finished, true);
    assert.equal(second.examined, 20, 'every answer of the two days read once');
    assert.equal(second.changed, 10, 'the ten answers naming Acme (all on 1 November), each once');
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM brand_mentions WHERE brand_name = 'Acme'`,
    );
    assert.deepEqual(rows, [{ n: 10 }]);
  });

  test('--brand reads only the answers naming that brand; --ai-source only that source', async () => {
    await t.pool.query(`DELETE FROM brand_mentions WHERE brand_name = 'Acme'`);
    const run = await runBin(
      'avt',
      ['reextract', '--since', '2026-11-01', '--brand', 'acme', '--ai-source', 'chatgpt'],
      {
        DATABASE_URL: t.url,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 5 answers read, 5 changed$/m);
  });

  test('days are UTC days, whatever the session time zone', async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 3, options: '-c TimeZone=Pacific/Kiritimati' });
    const extraction = createExtractor(pool, undefined, logger);
    try {
      const filters = { since: '2026-11-02', until: '2026-11-02', aiSource: null, brand: null };
      const run = await reextractAnswers(pool, extraction.extractor, filters, { batchSize: 50 });
      assert.equal(run.examined, 10, 'the ten answers captured on 2 November, UTC');
      const { rows } = await t.pool.query(
        `SELECT (SELECT after_id::text FROM reextractions WHERE id = $1) AS last_read,
                (SELECT max(id)::text FROM responses WHERE captured_at::date = '2026-11-02' AND captured_at >= '2026-11-02Z') AS last_of_day`,
        [run.runId],
      );
      assert.equal(rows[0]?.last_read, rows[0]?.last_of_day, 'and no answer of another day');
    } finally {
      await extraction.close();
      await pool.end();
    }
  });

  test('bad filters: one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^avt: --since <day> is required/],
      [['--since', '2026-13-45'], /^avt: --since must be a day as YYYY-MM-DD, got '2026-13-45'/],
      [
        ['--since', '2026-11-01', '--brand', 'Initech'],
        /^avt: no tracked brand 'Initech'; tracked: Acme, Globex/,
      ],
      [
        ['--since', '2026-11-01', '--ai-source', 'bard'],
        /^avt: unknown AI source 'bard'; known sources: .*chatgpt/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runBin('avt', ['reextract', ...args], { DATABASE_URL: t.url });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr.trim(), message);
    }
  });
});

test('reextract_answers, queued from SQL, is run by the maintenance task to the end', async () => {
  await t.pool.query(`DELETE FROM brand_mentions WHERE brand_name = 'Acme'`);
  const extraction = createExtractor(t.pool, undefined, logger);
  const runner = await startMaintenance({
    pool: t.pool,
    db: t.db,
    logger,
    trackingCron: '0 0 1 1 *',
    retentionMonths: undefined,
    alertWebhookUrl: undefined,
    extractor: extraction.extractor,
  });
  try {
    await t.pool.query(
      `SELECT graphile_worker.add_job('reextract_answers', json_build_object('since', '2026-11-01', 'ai_source', 'perplexity'))`,
    );
    const run = await waitFor(async () => {
      const { rows } = await t.pool.query(
        `SELECT examined::int, changed::int FROM reextractions
         WHERE filters ->> 'ai_source' = 'perplexity' AND finished_at IS NOT NULL`,
      );
      return rows[0];
    }, 20_000);
    assert.deepEqual(run, { examined: 15, changed: 5 });
  } finally {
    await runner.stop();
    await extraction.close();
  }
});
