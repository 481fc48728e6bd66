import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';

const ALL_SOURCES = ['chatgpt', 'claude', 'copilot', 'gemini', 'google_ai_overview', 'perplexity'];

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts');
  await t.pool.query('DELETE FROM rounds WHERE id > 1');
  await t.pool.query('UPDATE ai_sources SET enabled = true, samples_per_round = 1, max_concurrency = NULL');
});

/** The error a statement raises, as psql shows it: message, then detail. */
async function errorOf(sql: string, params: unknown[] = []): Promise<string> {
  try {
    await t.pool.query(sql, params);
  } catch (error) {
    const e = error as pg.DatabaseError;
    return `${e.message}\n${e.detail ?? ''}`;
  }
  assert.fail(`no error from: ${sql}`);
}

async function counts(): Promise<{ prompts: number; runs: number }> {
  const { rows } = await t.pool.query<{ prompts: number; runs: number }>(
    'SELECT (SELECT count(*)::int FROM prompts) AS prompts, (SELECT count(*)::int FROM prompt_runs) AS runs',
  );
  return rows[0] ?? { prompts: -1, runs: -1 };
}

describe('enqueue', () => {
  test('INSERT INTO prompts queues one run per enabled source × samples_per_round', async () => {
    await t.pool.query(`UPDATE ai_sources SET enabled = false WHERE name = 'gemini'`);
    await t.pool.query(`UPDATE ai_sources SET samples_per_round = 3 WHERE name = 'perplexity'`);
    const ids = await addPrompts(t.pool, ['best running shoes?', 'best trail shoes?'], 7);
    const { rows } = await t.pool.query<{ prompt_id: string; runs: string[] }>(
      `SELECT prompt_id, array_agg(ai_source || ':' || sample ORDER BY ai_source, sample) AS runs
       FROM prompt_runs
       WHERE status = 'queued' AND round = 1 AND priority = 7 AND attempts = 0 AND lease_token IS NULL
         AND run_after <= now()
       GROUP BY prompt_id ORDER BY prompt_id`,
    );
    const expected = [
      'chatgpt:1',
      'claude:1',
      'copilot:1',
      'google_ai_overview:1',
      'perplexity:1',
      'perplexity:2',
      'perplexity:3',
    ];
    assert.deepEqual(
      rows,
      [...ids].sort().map((id) => ({ prompt_id: id, runs: expected })),
    );
    assert.deepEqual(await counts(), { prompts: 2, runs: 14 });
  });

  test('an inactive prompt queues nothing', async () => {
    await t.pool.query(`INSERT INTO prompts (text, active) VALUES ('parked', false), ('live', true)`);
    const { rows } = await t.pool.query<{ text: string; runs: number }>(
      `SELECT p.text, count(r.id)::int AS runs FROM prompts p LEFT JOIN prompt_runs r ON r.prompt_id = p.id
       GROUP BY p.text ORDER BY p.text`,
    );
    assert.deepEqual(rows, [
      { text: 'live', runs: 6 },
      { text: 'parked', runs: 0 },
    ]);
  });

  test('empty, blank and over-long prompts are refused with errors naming the rule', async () => {
    for (const text of ['', '   ']) {
      assert.match(
        await errorOf('INSERT INTO prompts (text) VALUES ($1)', [text]),
        /prompts_text_not_blank/,
        JSON.stringify(text),
      );
    }
    assert.match(
      await errorOf('INSERT INTO prompts (text) VALUES ($1)', ['x'.repeat(9000)]),
      /prompts_text_max_8000_chars/,
    );
    assert.match(await errorOf('INSERT INTO prompts (text) VALUES (NULL)'), /null value in column "text"/);
    // One bad row refuses the whole statement: nothing is queued.
    assert.match(await errorOf(`INSERT INTO prompts (text) VALUES ('fine'), ('')`), /prompts_text_not_blank/);
    assert.deepEqual(await counts(), { prompts: 0, runs: 0 });

    // The limit is on the text itself (8,000 characters, not bytes), surrounding whitespace aside.
    await addPrompts(t.pool, [`  ${'é'.repeat(8000)}  `]);
    assert.deepEqual(await counts(), { prompts: 1, runs: 6 });
  });

  test('a prompt of only tabs and newlines is refused as blank', async () => {
    for (const text of ['\t', '\n', ' \n\t\r\n ']) {
      assert.match(
        await errorOf('INSERT INTO prompts (text) VALUES ($1)', [text]),
        /prompts_text_not_blank/,
        JSON.stringify(text),
      );
    }
  });

  test('a run for an unknown ai_source or with a bad status is refused, naming the bad value', async () => {
    const [promptId] = await addPrompts(t.pool, ['re-run me']);
    const unknown = await errorOf(`INSERT INTO prompt_runs (prompt_id, ai_source) VALUES ($1, 'chatgtp')`, [
      promptId,
    ]);
    assert.match(unknown, /prompt_runs_ai_source_must_be_in_ai_sources/);
    assert.match(unknown, /\(ai_source\)=\(chatgtp\) is not present in table "ai_sources"/);

    const status = await errorOf(
      `INSERT INTO prompt_runs (prompt_id, ai_source, status) VALUES ($1, 'chatgpt', 'pending')`,
      [promptId],
    );
    assert.match(status, /prompt_runs_status_valid/);
    assert.match(
      await errorOf(`UPDATE prompt_runs SET status = 'finished' WHERE prompt_id = $1`, [promptId]),
      /prompt_runs_status_valid/,
    );
    assert.deepEqual(await counts(), { prompts: 1, runs: 6 });
  });

  test('SQL-looking and unicode prompt text is stored and handed to the worker verbatim', async () => {
    await onlySources(t.pool, 'chatgpt');
    const texts = [
      `'); DROP TABLE prompts; --`,
      `Robert"); DELETE FROM prompt_runs WHERE (1=1 OR '' = '); $$ $1 \\x00 %s {0}`,
      '👩‍💻 Welches CRM ist das beste? 日本語のテキスト — עברית, e\u0301 vs é, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇺🇦',
      '  leading and trailing whitespace\n\tand a tab  ',
    ];
    // Both ways in: a bound parameter, and a literal as an operator would type it in psql.
    await addPrompts(t.pool, texts.slice(0, 2));
    for (const text of texts.slice(2)) {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('${text.replaceAll("'", "''")}')`);
    }
    const handed: string[] = [];
    for (;;) {
      const run = await claim(t.pool);
      if (!run) break;
      handed.push(run.promptText);
    }
    assert.deepEqual(handed.sort(), [...texts].sort());
    const { rows } = await t.pool.query<{ text: string }>('SELECT text FROM prompts');
    assert.deepEqual(rows.map((r) => r.text).sort(), [...texts].sort());
    assert.deepEqual(await counts(), { prompts: 4, runs: 4 });
  });

  test('a direct insert into prompt_runs with only prompt_id and ai_source joins the current round as the next sample', async () => {
    const [promptId] = await addPrompts(t.pool, ['re-run on one source']);
    const rerun = async (...sources: string[]) => {
      const { rows } = await t.pool.query<{
        ai_source: string;
        round: number;
        sample: number;
        status: string;
      }>(
        `INSERT INTO prompt_runs (prompt_id, ai_source) SELECT $1, s FROM unnest($2::text[]) AS s
         RETURNING ai_source, round, sample, status`,
        [promptId, sources],
      );
      return rows.map((r) => `${r.ai_source} r${r.round} s${r.sample} ${r.status}`);
    };
    assert.deepEqual(await rerun('chatgpt'), ['chatgpt r1 s2 queued']);
    assert.deepEqual(await rerun('chatgpt'), ['chatgpt r1 s3 queued']);
    assert.deepEqual(await rerun('chatgpt', 'chatgpt', 'gemini'), [
      'chatgpt r1 s4 queued',
      'chatgpt r1 s5 queued',
      'gemini r1 s2 queued',
    ]);

    await t.pool.query(`INSERT INTO rounds (reason) VALUES ('scheduled')`);
    assert.deepEqual(await rerun('chatgpt'), ['chatgpt r2 s1 queued']);
    assert.deepEqual(await rerun('chatgpt'), ['chatgpt r2 s2 queued']);
    await addPrompts(t.pool, ['new in round 2']);
    const { rows } = await t.pool.query<{ rounds: number[] }>(
      `SELECT array_agg(DISTINCT r.round) AS rounds FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id
       WHERE p.text = 'new in round 2'`,
    );
    assert.deepEqual(rows[0]?.rounds, [2]);
  });

  test('a 10,000-prompt insert in one statement sends at most one notification per source', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    try {
      const payloads: string[] = [];
      listener.on('notification', (message) => {
        if (message.channel === 'prompt_runs_queued') payloads.push(message.payload ?? '');
      });
      await listener.query('LISTEN prompt_runs_queued');

      await t.pool.query(
        `INSERT INTO prompts (text) SELECT 'bulk prompt ' || i FROM generate_series(1, 10000) i`,
      );
      await waitFor(() => payloads.length >= ALL_SOURCES.length, 10_000, 'one notification per source');
      // Notifications arrive in commit order: once this one is in, nothing more from the insert can follow.
      const sentinel = `sentinel-${Date.now()}`;
      await t.pool.query('SELECT pg_notify($1, $2)', ['prompt_runs_queued', sentinel]);
      await waitFor(() => payloads.includes(sentinel), 10_000, 'the sentinel notification');

      assert.deepEqual(payloads.slice(0, -1).sort(), ALL_SOURCES);
      assert.equal(payloads.at(-1), sentinel);
    } finally {
      await listener.end();
    }
    assert.deepEqual(await counts(), { prompts: 10_000, runs: 60_000 });
  });
});
