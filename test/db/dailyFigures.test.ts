// The views read the daily figures (sql/130); here they are checked against the same definitions computed
// from the answers themselves (the *_recomputed views) over randomized data, after every kind of write the
// figures must follow: bulk loads, a worker's commit, re-extractions, deleted brands and prompts, moved
// prompts and answers, edited and deleted rows, rows written before their answer, and compaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate } from '../../src/db/migrate.ts';
import { createRng, type Rng } from '../../src/mock/prng.ts';
import { commitResult } from '../../src/queue/commitResult.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { assertFiguresExact, FIGURE_VIEWS } from '../helpers/figures.ts';
import { migratedByBuildBefore } from '../helpers/previousBuild.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';

const SOURCES = ['chatgpt', 'perplexity', 'gemini'];
const DOMAINS = ['acme.com', 'globex.io', 'g2.com', 'wikipedia.org', 'reddit.com', 'initech.com'];
const SENTIMENTS = ['positive', 'neutral', 'negative', null];

let t: TestDatabase;
let rng: Rng;
let brandIds: string[] = [];
let promptIds: string[] = [];

const pick = <T>(items: readonly T[]): T => rng.pick(items);

/** Random answers with their mentions and citations, loaded the way an operator would: plain INSERTs. */
async function bulkLoad(answers: number, mentionsFirst = false): Promise<string[]> {
  const { rows: ids } = await t.pool.query<{ id: string }>(
    `SELECT nextval(pg_get_serial_sequence('responses', 'id'))::text AS id FROM generate_series(1, $1)`,
    [answers],
  );
  const responseIds = ids.map((row) => row.id);
  const rows = responseIds.map((id) => ({
    id,
    prompt_id: pick(promptIds),
    ai_source: pick(SOURCES),
    capture_mode: rng.chance(0.8) ? 'ui' : 'api',
    captured_at: new Date(
      Date.UTC(2026, 10, 1 + rng.int(0, 9), rng.int(0, 23), rng.int(0, 59)),
    ).toISOString(),
  }));
  const mentions = responseIds.flatMap((id) =>
    Array.from({ length: rng.int(0, 4) }, () => ({
      response_id: id,
      brand_id: rng.chance(0.85) ? pick(brandIds) : null,
      position: rng.int(1, 5),
      sentiment: pick(SENTIMENTS),
      recommended: rng.chance(0.3) ? null : rng.chance(0.5),
    })),
  );
  const citations = responseIds.flatMap((id) =>
    Array.from({ length: rng.int(0, 4) }, (_, i) => {
      const domain = pick(DOMAINS);
      return {
        response_id: id,
        position: i + 1,
        url: `https://${domain}/${rng.int(1, 3)}`,
        domain,
        brand_id: rng.chance(0.5) ? pick(brandIds) : null,
      };
    }),
  );
  const insertAnswers = () =>
    t.pool.query(
      `INSERT INTO responses (id, run_id, prompt_id, ai_source, capture_mode, captured_at, answer_text)
       OVERRIDING SYSTEM VALUE
       SELECT a.id, 0, a.prompt_id, a.ai_source, a.capture_mode, a.captured_at, 'answer'
       FROM jsonb_to_recordset($1) AS a (id bigint, prompt_id uuid, ai_source text, capture_mode text,
                                         captured_at timestamptz)`,
      [JSON.stringify(rows)],
    );
  const insertRows = async () => {
    await t.pool.query(
      `INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, sentiment, recommended)
       SELECT m.response_id, m.brand_id, 'name', m.position, m.sentiment, m.recommended
       FROM jsonb_to_recordset($1) AS m (response_id bigint, brand_id bigint, position integer, sentiment text,
                                         recommended boolean)`,
      [JSON.stringify(mentions)],
    );
    await t.pool.query(
      `INSERT INTO citations (response_id, position, url, domain, brand_id)
       SELECT c.response_id, c.position, c.url, c.domain, c.brand_id
       FROM jsonb_to_recordset($1) AS c (response_id bigint, position integer, url text, domain text, brand_id bigint)`,
      [JSON.stringify(citations)],
    );
  };
  if (mentionsFirst) {
    await insertRows();
    await insertAnswers();
  } else {
    await insertAnswers();
    await insertRows();
  }
  return responseIds;
}

before(async () => {
  rng = createRng(20261206);
  t = await createTestDatabase();
  await onlySources(t.pool, 'chatgpt');
  const { rows: categories } = await t.pool.query<{ id: string }>(
    `INSERT INTO categories (name) VALUES ('CRM'), ('Email'), ('Help desk') RETURNING id::text`,
  );
  const { rows: brands } = await t.pool.query<{ id: string }>(
    `INSERT INTO brands (name, domains, is_own)
     SELECT 'Brand ' || i, ARRAY['brand' || i || '.com'], i = 1 FROM generate_series(1, 6) AS i RETURNING id::text`,
  );
  brandIds = brands.map((b) => b.id);
  const { rows: prompts } = await t.pool.query<{ id: string }>(
    `INSERT INTO prompts (text, category_id, active)
     SELECT 'prompt ' || i, (ARRAY[$1, $2, $3, NULL]::bigint[])[1 + i % 4], false
     FROM generate_series(1, 12) AS i RETURNING id::text`,
    categories.map((c) => c.id),
  );
  promptIds = prompts.map((p) => p.id);
});
after(async () => {
  await t.drop();
});

describe('the daily figures equal the answers, after every kind of write', () => {
  let loaded: string[] = [];

  test('a bulk load, and rows written before their answers', async () => {
    loaded = await bulkLoad(400);
    loaded.push(...(await bulkLoad(60, true)));
    await assertFiguresExact(t.pool, 'after the loads');
  });

  test('one statement that writes answers with their mentions and citations (a CTE)', async () => {
    await t.pool.query(
      `WITH a AS (
         INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
         SELECT 0, $1::uuid, 'gemini', 'one statement', '2026-11-04T08:00:00Z'::timestamptz + i * interval '1 hour'
         FROM generate_series(1, 12) AS i
         RETURNING id, captured_at),
       m AS (
         INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, captured_at)
         SELECT a.id, b.id, 'name', 1, a.captured_at FROM a CROSS JOIN unnest($2::bigint[]) AS b (id))
       INSERT INTO citations (response_id, position, url, domain, captured_at)
       SELECT a.id, 1, 'https://g2.com/x', 'g2.com', a.captured_at FROM a`,
      [promptIds[0], brandIds.slice(0, 2)],
    );
    await assertFiguresExact(t.pool, 'after a one-statement load');
  });

  test("a worker's commit through commit_prompt_run_results", async () => {
    await addPrompts(t.pool, ['committed by a worker']);
    const run = await claim(t.pool);
    assert.ok(run);
    await commitResult(t.pool, run, {
      response: { answerText: 'answer', capturedAt: new Date('2026-11-03T10:00:00Z') },
      mentions: [
        {
          brandId: brandIds[0] ?? null,
          brandName: 'Brand 1',
          position: 1,
          mentionCount: 1,
          sentiment: 'positive',
        },
        {
          brandId: brandIds[0] ?? null,
          brandName: 'Brand 1',
          position: 3,
          mentionCount: 1,
          sentiment: 'negative',
        },
      ],
      citations: [
        { position: 1, url: 'https://acme.com/a', domain: 'acme.com', brandId: brandIds[1] ?? null },
        { position: 2, url: 'https://acme.com/b', domain: 'acme.com', brandId: null },
      ],
    });
    await assertFiguresExact(t.pool, 'after a commit');
  });

  test('re-extractions replace mentions', async () => {
    for (const id of loaded.slice(0, 25)) {
      await t.pool.query(
        `SELECT apply_reextraction(r.id, r.captured_at, $2::jsonb) FROM responses r WHERE r.id = $1`,
        [
          id,
          JSON.stringify([{ brand_id: pick(brandIds), brand_name: 'x', position: 1, sentiment: 'neutral' }]),
        ],
      );
    }
    await assertFiguresExact(t.pool, 'after re-extractions');
  });

  test('edited and deleted mentions and citations, a deleted brand, a new brand', async () => {
    await t.pool.query('UPDATE brand_mentions SET position = position + 3 WHERE id % 7 = 0');
    await t.pool.query(
      `UPDATE brand_mentions SET sentiment = 'negative', recommended = true WHERE id % 5 = 0`,
    );
    await t.pool.query('UPDATE brand_mentions SET brand_id = $1 WHERE id % 11 = 0', [brandIds[2]]);
    await t.pool.query('DELETE FROM brand_mentions WHERE id % 9 = 0');
    await t.pool.query('UPDATE citations SET brand_id = $1 WHERE id % 6 = 0', [brandIds[3]]);
    await t.pool.query(`UPDATE citations SET domain = 'moved.example' WHERE id % 13 = 0`);
    await t.pool.query('DELETE FROM citations WHERE id % 8 = 0');
    await t.pool.query('DELETE FROM brands WHERE id = $1', [brandIds[4]]);
    brandIds = brandIds.filter((_, index) => index !== 4);
    await t.pool.query(`INSERT INTO brands (name) VALUES ('Newcomer')`);
    await assertFiguresExact(t.pool, 'after edits and deletes');
  });

  test('moved prompts, a deleted prompt, moved and deleted answers', async () => {
    await t.pool.query('UPDATE prompts SET category_id = NULL WHERE id = $1', [promptIds[0]]);
    await t.pool.query(
      `UPDATE prompts SET category_id = (SELECT min(id) FROM categories) WHERE id = ANY ($1)`,
      [promptIds.slice(1, 4)],
    );
    await t.pool.query('DELETE FROM prompts WHERE id = $1', [promptIds[5]]);
    promptIds = promptIds.filter((_, index) => index !== 5);
    await t.pool.query(
      `UPDATE responses SET captured_at = captured_at + interval '2 days' WHERE id % 10 = 0`,
    );
    await t.pool.query(`UPDATE responses SET ai_source = 'gemini', capture_mode = 'api' WHERE id % 12 = 1`);
    await t.pool.query('DELETE FROM responses WHERE id % 15 = 0');
    await t.pool.query('DELETE FROM brand_mentions WHERE response_id % 15 = 0');
    await assertFiguresExact(t.pool, 'after moves and deletes');
  });

  test('compaction folds the rows and changes no figure', async () => {
    const rowsOf = async () => {
      const { rows } = await t.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM daily_answers) + (SELECT count(*) FROM daily_brand_mentions)
              + (SELECT count(*) FROM daily_cited_domains) + (SELECT count(*) FROM daily_brand_citations) AS n`,
      );
      return Number(rows[0]?.n);
    };
    const before = await rowsOf();
    const { rows } = await t.pool.query<{ folded: string }>('SELECT compact_daily_figures() AS folded');
    assert.ok(Number(rows[0]?.folded) > 0);
    const after = await rowsOf();
    assert.ok(after < before / 2, `compaction left ${after} of ${before} rows`);
    await assertFiguresExact(t.pool, 'after compaction');
    await bulkLoad(50);
    await assertFiguresExact(t.pool, 'after compaction and more answers');
  });
});

describe('a month of answers dropped whole', () => {
  test('keeps its daily figures: brand_visibility still shows it, though the answers are gone', async () => {
    await t.pool.query(
      `CREATE TABLE responses_2026_06 PARTITION OF responses
       FOR VALUES FROM ('2026-06-01 00:00Z') TO ('2026-07-01 00:00Z')`,
    );
    await t.pool.query(
      `WITH saved AS (
         INSERT INTO responses (run_id, prompt_id, ai_source, captured_at, answer_text)
         SELECT 0, $1::uuid, 'chatgpt', timestamptz '2026-06-10 12:00Z' + (i % 5) * interval '1 day', 'June'
         FROM generate_series(1, 20) AS i RETURNING id)
       INSERT INTO brand_mentions (response_id, brand_id, brand_name, position)
       SELECT id, $2::bigint, 'name', 1 FROM saved WHERE id % 2 = 0`,
      [promptIds[0], brandIds[0]],
    );
    const june = `SELECT * FROM brand_visibility WHERE day >= '2026-06-01' AND day < '2026-07-01'
                  ORDER BY ${FIGURE_VIEWS.brand_visibility}`;
    const before = await t.pool.query(june);
    assert.ok(before.rows.length > 0);
    await t.pool.query('ALTER TABLE responses DETACH PARTITION responses_2026_06');
    await t.pool.query('DROP TABLE responses_2026_06');
    assert.deepEqual((await t.pool.query(june)).rows, before.rows);
    const raw = await t.pool.query(
      `SELECT count(*)::int AS n FROM brand_visibility_recomputed WHERE day >= '2026-06-01' AND day < '2026-07-01'`,
    );
    assert.deepEqual(raw.rows, [{ n: 0 }], 'the answers themselves are gone');
  });
});

describe('the daily figures of a database that had answers before them', () => {
  test('are built from the stored answers when sql/130 is first applied', async () => {
    await t.pool.query(`
      DELETE FROM avt_daily_figures_state;
      TRUNCATE daily_answers, daily_brand_mentions, daily_cited_domains, daily_brand_citations`);
    const { rows: empty } = await t.pool.query('SELECT count(*)::int AS n FROM brand_visibility');
    assert.deepEqual(empty, [{ n: 0 }]);
    await t.pool.query('SELECT avt_build_daily_figures()');
    await assertFiguresExact(t.pool, 'after the build');
  });
});

describe('an upgrade from the build before the daily figures', () => {
  const database = migratedByBuildBefore('migrations/0006_daily_figures.sql');

  test('keeps every answer, and the views read the same figures as before', async () => {
    const old = database();

    const saved = t;
    t = old;
    try {
      await old.pool.query(`UPDATE ai_sources SET enabled = false`);
      await old.pool.query(`INSERT INTO categories (name) VALUES ('CRM')`);
      const { rows: brands } = await old.pool.query<{ id: string }>(
        `INSERT INTO brands (name) SELECT 'Brand ' || i FROM generate_series(1, 4) AS i RETURNING id::text`,
      );
      brandIds = brands.map((b) => b.id);
      const { rows: prompts } = await old.pool.query<{ id: string }>(
        `INSERT INTO prompts (text, category_id) SELECT 'p' || i, CASE WHEN i % 2 = 0 THEN (SELECT id FROM categories) END
         FROM generate_series(1, 4) AS i RETURNING id::text`,
      );
      promptIds = prompts.map((p) => p.id);
      await bulkLoad(150);
      const before = await old.pool.query(
        `SELECT * FROM brand_visibility ORDER BY ${FIGURE_VIEWS.brand_visibility}`,
      );
      const counts = async () =>
        (
          await old.pool.query(
            `SELECT (SELECT count(*) FROM responses) AS responses, (SELECT count(*) FROM brand_mentions) AS mentions,
                    (SELECT count(*) FROM citations) AS citations`,
          )
        ).rows[0];
      const rowsBefore = await counts();

      const result = await migrate(old.pool);
      assert.ok(result.applied.includes('0006_daily_figures'));
      assert.deepEqual(await counts(), rowsBefore, 'no answer, mention or citation lost');
      const afterUpgrade = await old.pool.query(
        `SELECT * FROM brand_visibility ORDER BY ${FIGURE_VIEWS.brand_visibility}`,
      );
      assert.deepEqual(afterUpgrade.rows, before.rows, 'the same figures, now from the daily figures');
      await assertFiguresExact(t.pool, 'after the upgrade');
      await bulkLoad(40);
      await assertFiguresExact(t.pool, 'after the upgrade and new answers');
    } finally {
      t = saved;
    }
  });
});
