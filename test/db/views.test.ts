// The analyst views (sql/110_brand_visibility.sql, sql/120_citation_views.sql) against a fixture small enough
// to compute by hand. Every expected figure below is a literal worked out on paper (Wilson bounds with a
// calculator), never the view's formula run again in TypeScript.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase, markSqlOlder, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
const brandIds: Record<string, string> = {};

/*
 * The fixture. Days are UTC days; D1 = 2025-03-10, D2 = 2025-03-11.
 *   categories CRM, Email; brands Acme (own), Globex, Initech (never mentioned, never cited)
 *   prompts: crm (CRM), email (Email), other (no category)
 *
 *   answer  captured_at (UTC)      source      mode  prompt  mentions (brand pos sentiment recommended)
 *   r1      D1 08:00               chatgpt     ui    crm     Acme 1 positive true; Globex 2 neutral false
 *   r2      D1 09:00               chatgpt     ui    crm     Acme 2 neutral false; Globex 1 positive true
 *   r3      D1 10:00               chatgpt     ui    crm     Globex twice: 3 positive true (lower id), 1 negative NULL
 *   r4      D1 11:00               chatgpt     ui    crm     only an untracked brand (brand_id NULL)
 *   r5      D1 12:00               chatgpt     ui    email   Acme 1 NULL NULL (rules)
 *   r6      D1 13:00               perplexity  ui    crm     none
 *   r7      D1 23:59:59            perplexity  ui    crm     none
 *   r8      D1 14:00               chatgpt     api   crm     Globex 1 positive true
 *   r9      D2 04:30 (D1 in -05)   chatgpt     ui    other   Acme 2 neutral false; Globex 1 positive true
 *   r10     D2 00:00               perplexity  ui    crm     Acme 1 positive true
 *   r11     D2 18:00               perplexity  ui    crm     Globex 1 negative false; Acme 2 negative false
 *
 *   citations (domain brand): r1 acme.com Acme ×2 (two URLs), wikipedia.org; r2 globex.io Globex, wikipedia.org,
 *   acme.com NULL (recorded before the domain was attributed); r4 g2.com; r5 acme.com Acme; r8 globex.io Globex;
 *   r9 wikipedia.org; r10 acme.com Acme, blog.globex.io Globex. r3, r6, r7, r11: none.
 */
async function loadFixture(): Promise<void> {
  const q = (text: string, values: unknown[] = []) => t.pool.query(text, values);
  const { rows: categories } = await q(
    `INSERT INTO categories (name) VALUES ('CRM'), ('Email') RETURNING id, name`,
  );
  const categoryId = (name: string) => categories.find((c) => c.name === name)?.id;
  const { rows: brands } = await q(
    `INSERT INTO brands (name, domains, is_own) VALUES
       ('Acme', '{acme.com}', true), ('Globex', '{globex.io}', false), ('Initech', '{initech.com}', false)
     RETURNING id, name`,
  );
  for (const b of brands) brandIds[b.name] = b.id;
  // No runs wanted: the responses below are inserted directly (responses.run_id has no foreign key).
  await q('UPDATE ai_sources SET enabled = false');
  const { rows: prompts } = await q(
    `INSERT INTO prompts (text, category_id) VALUES ('best crm', $1), ('best email tool', $2), ('anything', NULL)
     RETURNING id, text`,
    [categoryId('CRM'), categoryId('Email')],
  );
  const promptId = (text: string) => prompts.find((p) => p.text === text)?.id;
  const crm = promptId('best crm');
  const email = promptId('best email tool');
  const other = promptId('anything');

  const responses: [string, string, string, string, string][] = [
    ['r1', '2025-03-10T08:00:00Z', 'chatgpt', 'ui', crm],
    ['r2', '2025-03-10T09:00:00Z', 'chatgpt', 'ui', crm],
    ['r3', '2025-03-10T10:00:00Z', 'chatgpt', 'ui', crm],
    ['r4', '2025-03-10T11:00:00Z', 'chatgpt', 'ui', crm],
    ['r5', '2025-03-10T12:00:00Z', 'chatgpt', 'ui', email],
    ['r6', '2025-03-10T13:00:00Z', 'perplexity', 'ui', crm],
    ['r7', '2025-03-10T23:59:59Z', 'perplexity', 'ui', crm],
    ['r8', '2025-03-10T14:00:00Z', 'chatgpt', 'api', crm],
    ['r9', '2025-03-10T23:30:00-05:00', 'chatgpt', 'ui', other],
    ['r10', '2025-03-11T00:00:00Z', 'perplexity', 'ui', crm],
    ['r11', '2025-03-11T18:00:00Z', 'perplexity', 'ui', crm],
  ];
  const responseIds: Record<string, string> = {};
  for (const [key, capturedAt, source, mode, prompt] of responses) {
    const { rows } = await q(
      `INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, captured_at)
       VALUES (0, $1, $2, $3, $4, $5) RETURNING id`,
      [prompt, source, mode, `answer ${key}`, capturedAt],
    );
    responseIds[key] = rows[0].id;
  }

  // [answer, brand (null: untracked), position, sentiment, recommended], inserted in this order (ids ascend)
  const mentions: [string, string | null, number, string | null, boolean | null][] = [
    ['r1', 'Acme', 1, 'positive', true],
    ['r1', 'Globex', 2, 'neutral', false],
    ['r2', 'Globex', 1, 'positive', true],
    ['r2', 'Acme', 2, 'neutral', false],
    ['r3', 'Globex', 3, 'positive', true], // the duplicate: a lower id but a later position, so it loses
    ['r3', 'Globex', 1, 'negative', null],
    ['r4', null, 1, 'positive', true],
    ['r5', 'Acme', 1, null, null],
    ['r8', 'Globex', 1, 'positive', true],
    ['r9', 'Globex', 1, 'positive', true],
    ['r9', 'Acme', 2, 'neutral', false],
    ['r10', 'Acme', 1, 'positive', true],
    ['r11', 'Globex', 1, 'negative', false],
    ['r11', 'Acme', 2, 'negative', false],
  ];
  for (const [key, brand, position, sentiment, recommended] of mentions) {
    await q(
      `INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, sentiment, recommended)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [responseIds[key], brand ? brandIds[brand] : null, brand ?? 'Hooli', position, sentiment, recommended],
    );
  }

  // [answer, position, url, domain, brand]
  const citations: [string, number, string, string, string | null][] = [
    ['r1', 1, 'https://acme.com/pricing', 'acme.com', 'Acme'],
    ['r1', 2, 'https://acme.com/features', 'acme.com', 'Acme'],
    ['r1', 3, 'https://en.wikipedia.org/wiki/CRM', 'wikipedia.org', null],
    ['r2', 1, 'https://globex.io/', 'globex.io', 'Globex'],
    ['r2', 2, 'https://en.wikipedia.org/wiki/Sales', 'wikipedia.org', null],
    ['r2', 3, 'https://acme.com/blog', 'acme.com', null],
    ['r4', 1, 'https://www.g2.com/categories/crm', 'g2.com', null],
    ['r5', 1, 'https://acme.com/email', 'acme.com', 'Acme'],
    ['r8', 1, 'https://globex.io/api', 'globex.io', 'Globex'],
    ['r9', 1, 'https://en.wikipedia.org/wiki/Software', 'wikipedia.org', null],
    ['r10', 1, 'https://acme.com/', 'acme.com', 'Acme'],
    ['r10', 2, 'https://blog.globex.io/crm', 'blog.globex.io', 'Globex'],
  ];
  for (const [key, position, url, domain, brand] of citations) {
    await q(
      `INSERT INTO citations (response_id, position, url, domain, brand_id) VALUES ($1, $2, $3, $4, $5)`,
      [responseIds[key], position, url, domain, brand ? brandIds[brand] : null],
    );
  }
}

before(async () => {
  t = await createTestDatabase({ migrated: true });
  await loadFixture();
});
after(async () => {
  await t.drop();
});

type Row = Record<string, unknown>;

/**
 * The view's rows, read from a session in New York: the day must still be the UTC day. Dates come back as
 * text and bigints as numbers so that rows compare to plain literals.
 */
async function read(sql: string): Promise<Row[]> {
  const client = await t.pool.connect();
  try {
    await client.query(`SET TIME ZONE 'America/New_York'`);
    const { rows } = await client.query({
      text: sql,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === pg.types.builtins.DATE) return (value: string) => value;
          if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
    });
    return rows;
  } finally {
    await client.query('RESET TIME ZONE');
    client.release();
  }
}

async function columns(view: string): Promise<[string, string][]> {
  const { rows } = await t.pool.query<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [view],
  );
  return rows.map((r) => [r.name, r.type]);
}

/** Every column of every row: floats to 4 decimals, everything else exactly. */
function assertRows(actual: Row[], expected: Row[], floats: Set<string>): void {
  assert.equal(actual.length, expected.length, 'row count');
  expected.forEach((want, i) => {
    const got = actual[i] as Row;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `row ${i}: columns`);
    const label = Object.values(want).slice(0, 6).join(' ');
    for (const [column, value] of Object.entries(want)) {
      const actualValue = got[column];
      if (floats.has(column) && typeof value === 'number') {
        assert.equal(typeof actualValue, 'number', `${label}: ${column} is ${actualValue}`);
        assert.ok(
          Math.abs((actualValue as number) - value) < 0.00005,
          `${label}: ${column} is ${actualValue}, expected ${value}`,
        );
      } else {
        assert.deepEqual(actualValue, value, `${label}: ${column}`);
      }
    }
  });
}

describe('brand_visibility', () => {
  test('has the documented columns and types', async () => {
    const f = 'double precision';
    assert.deepEqual(await columns('brand_visibility'), [
      ['day', 'date'],
      ['ai_source', 'text'],
      ['capture_mode', 'text'],
      ['category', 'text'],
      ['brand_id', 'bigint'],
      ['brand', 'text'],
      ['is_own', 'boolean'],
      ['answers', 'bigint'],
      ['mentioned', 'bigint'],
      ['mention_rate', f],
      ['mention_rate_low', f],
      ['mention_rate_high', f],
      ['avg_position', f],
      ['answers_with_any_brand', 'bigint'],
      ['share_of_voice', f],
      ['positive', 'bigint'],
      ['neutral', 'bigint'],
      ['negative', 'bigint'],
      ['sentiment_unknown', 'bigint'],
      ['recommended', 'bigint'],
    ]);
  });

  test('every figure of every row matches the hand computation', async () => {
    const rows = await read(
      `SELECT * FROM brand_visibility ORDER BY day, ai_source, capture_mode, category NULLS LAST, brand`,
    );
    // Wilson 95% bounds (z = 1.959963984540054), worked out once per (mentioned, answers):
    //   0/1 → [0, 0.793451]   1/1 → [0.206549, 1]   0/2 → [0, 0.657620]   1/2 → [0.094531, 0.905469]
    //   2/2 → [0.342380, 1]   0/4 → [0, 0.489891]   2/4 → [0.150039, 0.849961]   3/4 → [0.300642, 0.954413]
    // columns: day, source, mode, category, brand, is_own, answers, mentioned, rate, low, high, avg_position,
    //          answers_with_any_brand, share_of_voice, positive, neutral, negative, sentiment_unknown, recommended
    type Tuple = [string, string, string, string | null, string, boolean, ...(number | null)[]];
    const D1 = '2025-03-10';
    const D2 = '2025-03-11';
    const expected: Tuple[] = [
      // D1 chatgpt api CRM: r8 alone, in its own row apart from the ui answers (n = 1)
      [D1, 'chatgpt', 'api', 'CRM', 'Acme', true, 1, 0, 0, 0, 0.793451, null, 1, 0, 0, 0, 0, 0, 0], // 0 of 1; 0/1
      [D1, 'chatgpt', 'api', 'CRM', 'Globex', false, 1, 1, 1, 0.206549, 1, 1, 1, 1, 1, 0, 0, 0, 1], // 1 of 1; 1/1
      [D1, 'chatgpt', 'api', 'CRM', 'Initech', false, 1, 0, 0, 0, 0.793451, null, 1, 0, 0, 0, 0, 0, 0],
      // D1 chatgpt ui CRM: r1–r4; r1, r2, r3 name a tracked brand (r4 only an untracked one) → 3
      // Acme: r1 (pos 1, positive, recommended), r2 (pos 2, neutral) → 2 of 4 = 0.5; avg (1+2)/2; sov 2/3
      [
        D1,
        'chatgpt',
        'ui',
        'CRM',
        'Acme',
        true,
        4,
        2,
        0.5,
        0.150039,
        0.849961,
        1.5,
        3,
        0.666667,
        1,
        1,
        0,
        0,
        1,
      ],
      // Globex: r1 (2, neutral), r2 (1, positive, rec.), r3 once as its position-1 row (negative, NULL)
      //   → 3 of 4 = 0.75; avg (2+1+1)/3 = 1.333333; sov 3/3
      [
        D1,
        'chatgpt',
        'ui',
        'CRM',
        'Globex',
        false,
        4,
        3,
        0.75,
        0.300642,
        0.954413,
        1.333333,
        3,
        1,
        1,
        1,
        1,
        0,
        1,
      ],
      // Initech: 0 of 4; sov 0/3
      [D1, 'chatgpt', 'ui', 'CRM', 'Initech', false, 4, 0, 0, 0, 0.489891, null, 3, 0, 0, 0, 0, 0, 0],
      // D1 chatgpt ui Email: r5, Acme by rules (sentiment unknown, recommended NULL) → 1 of 1
      [D1, 'chatgpt', 'ui', 'Email', 'Acme', true, 1, 1, 1, 0.206549, 1, 1, 1, 1, 0, 0, 0, 1, 0],
      [D1, 'chatgpt', 'ui', 'Email', 'Globex', false, 1, 0, 0, 0, 0.793451, null, 1, 0, 0, 0, 0, 0, 0],
      [D1, 'chatgpt', 'ui', 'Email', 'Initech', false, 1, 0, 0, 0, 0.793451, null, 1, 0, 0, 0, 0, 0, 0],
      // D1 perplexity ui CRM: r6, r7 (23:59:59 UTC) name no brand → 0 of 2; share of voice 0/0 = NULL
      [D1, 'perplexity', 'ui', 'CRM', 'Acme', true, 2, 0, 0, 0, 0.65762, null, 0, null, 0, 0, 0, 0, 0],
      [D1, 'perplexity', 'ui', 'CRM', 'Globex', false, 2, 0, 0, 0, 0.65762, null, 0, null, 0, 0, 0, 0, 0],
      [D1, 'perplexity', 'ui', 'CRM', 'Initech', false, 2, 0, 0, 0, 0.65762, null, 0, null, 0, 0, 0, 0, 0],
      // D2 chatgpt ui, no category: r9 (23:30 in New York = 04:30 UTC the next day)
      [D2, 'chatgpt', 'ui', null, 'Acme', true, 1, 1, 1, 0.206549, 1, 2, 1, 1, 0, 1, 0, 0, 0], // pos 2, neutral
      [D2, 'chatgpt', 'ui', null, 'Globex', false, 1, 1, 1, 0.206549, 1, 1, 1, 1, 1, 0, 0, 0, 1],
      [D2, 'chatgpt', 'ui', null, 'Initech', false, 1, 0, 0, 0, 0.793451, null, 1, 0, 0, 0, 0, 0, 0],
      // D2 perplexity ui CRM: r10 (00:00 UTC), r11; both name a brand → 2
      // Acme: r10 (1, positive, rec.), r11 (2, negative) → 2 of 2; avg (1+2)/2; sov 2/2
      [D2, 'perplexity', 'ui', 'CRM', 'Acme', true, 2, 2, 1, 0.34238, 1, 1.5, 2, 1, 1, 0, 1, 0, 1],
      // Globex: r11 (1, negative, not recommended) → 1 of 2; sov 1/2
      [
        D2,
        'perplexity',
        'ui',
        'CRM',
        'Globex',
        false,
        2,
        1,
        0.5,
        0.094531,
        0.905469,
        1,
        2,
        0.5,
        0,
        0,
        1,
        0,
        0,
      ],
      [D2, 'perplexity', 'ui', 'CRM', 'Initech', false, 2, 0, 0, 0, 0.65762, null, 2, 0, 0, 0, 0, 0, 0],
    ];
    const names = [
      'day',
      'ai_source',
      'capture_mode',
      'category',
      'brand',
      'is_own',
      'answers',
      'mentioned',
      'mention_rate',
      'mention_rate_low',
      'mention_rate_high',
      'avg_position',
      'answers_with_any_brand',
      'share_of_voice',
      'positive',
      'neutral',
      'negative',
      'sentiment_unknown',
      'recommended',
    ];
    const expectedRows = expected.map((tuple) => {
      const row: Row = Object.fromEntries(names.map((name, i) => [name, tuple[i]]));
      row.brand_id = Number(brandIds[tuple[4]]);
      return row;
    });
    assertRows(
      rows,
      expectedRows,
      new Set(['mention_rate', 'mention_rate_low', 'mention_rate_high', 'avg_position', 'share_of_voice']),
    );
    // The exact values at the ends of the interval, not merely within 4 decimals of them.
    assert.equal(rows[0]?.mention_rate_low, 0);
    assert.equal(rows[1]?.mention_rate_high, 1);
  });
});

describe('citation_domains', () => {
  test('has the documented columns and types', async () => {
    assert.deepEqual(await columns('citation_domains'), [
      ['day', 'date'],
      ['ai_source', 'text'],
      ['capture_mode', 'text'],
      ['domain', 'text'],
      ['brand_id', 'bigint'],
      ['brand', 'text'],
      ['citations', 'bigint'],
      ['answers_citing', 'bigint'],
      ['answers_with_citations', 'bigint'],
      ['citation_rate', 'double precision'],
      ['citations_in_group', 'bigint'],
      ['citation_share', 'double precision'],
    ]);
  });

  test('every figure of every row matches the hand computation', async () => {
    const rows = await read(`SELECT * FROM citation_domains ORDER BY day, ai_source, capture_mode, domain`);
    const D1 = '2025-03-10';
    const D2 = '2025-03-11';
    const acme = Number(brandIds.Acme);
    const globex = Number(brandIds.Globex);
    // columns: day, source, mode, domain, brand_id, brand, citations, answers_citing, answers_with_citations,
    //          citation_rate, citations_in_group, citation_share
    const expected: [string, string, string, string, number | null, string | null, ...number[]][] = [
      // D1 chatgpt api: r8's one citation
      [D1, 'chatgpt', 'api', 'globex.io', globex, 'Globex', 1, 1, 1, 1, 1, 1], // 1 of 1 answer; 1 of 1 citation
      // D1 chatgpt ui: r1 (3), r2 (3), r4 (1), r5 (1) → 4 answers with citations, 8 citations (r3: none)
      // acme.com: r1 twice, r2 (brand NULL on that row), r5 → 4 rows in 3 answers; 3/4; 4/8; owner Acme
      [D1, 'chatgpt', 'ui', 'acme.com', acme, 'Acme', 4, 3, 4, 0.75, 8, 0.5],
      [D1, 'chatgpt', 'ui', 'g2.com', null, null, 1, 1, 4, 0.25, 8, 0.125], // r4: 1/4; 1/8
      [D1, 'chatgpt', 'ui', 'globex.io', globex, 'Globex', 1, 1, 4, 0.25, 8, 0.125], // r2: 1/4; 1/8
      [D1, 'chatgpt', 'ui', 'wikipedia.org', null, null, 2, 2, 4, 0.5, 8, 0.25], // r1, r2: 2/4; 2/8
      // D1 perplexity: r6, r7 cite nothing → no rows
      // D2 chatgpt ui: r9's one citation
      [D2, 'chatgpt', 'ui', 'wikipedia.org', null, null, 1, 1, 1, 1, 1, 1],
      // D2 perplexity ui: r10 cites two domains, r11 none → 1 answer with citations, 2 citations
      [D2, 'perplexity', 'ui', 'acme.com', acme, 'Acme', 1, 1, 1, 1, 2, 0.5], // 1/1; 1/2
      [D2, 'perplexity', 'ui', 'blog.globex.io', globex, 'Globex', 1, 1, 1, 1, 2, 0.5], // 1/1; 1/2
    ];
    const names = [
      'day',
      'ai_source',
      'capture_mode',
      'domain',
      'brand_id',
      'brand',
      'citations',
      'answers_citing',
      'answers_with_citations',
      'citation_rate',
      'citations_in_group',
      'citation_share',
    ];
    assertRows(
      rows,
      expected.map((tuple) => Object.fromEntries(names.map((name, i) => [name, tuple[i]]))),
      new Set(['citation_rate', 'citation_share']),
    );
  });
});

describe('brand_citations', () => {
  test('has the documented columns and types', async () => {
    assert.deepEqual(await columns('brand_citations'), [
      ['day', 'date'],
      ['ai_source', 'text'],
      ['capture_mode', 'text'],
      ['brand_id', 'bigint'],
      ['brand', 'text'],
      ['is_own', 'boolean'],
      ['answers_citing', 'bigint'],
      ['answers_with_citations', 'bigint'],
      ['citation_rate', 'double precision'],
      ['citations', 'bigint'],
      ['citations_in_group', 'bigint'],
      ['citation_share', 'double precision'],
    ]);
  });

  test('every figure of every row matches the hand computation', async () => {
    const rows = await read(`SELECT * FROM brand_citations ORDER BY day, ai_source, capture_mode, brand`);
    const D1 = '2025-03-10';
    const D2 = '2025-03-11';
    // columns: day, source, mode, brand, is_own, answers_citing, answers_with_citations, citation_rate,
    //          citations, citations_in_group, citation_share
    const expected: [string, string, string, string, boolean, ...number[]][] = [
      // D1 chatgpt api: r8 cites globex.io → 1 answer with citations, 1 citation
      [D1, 'chatgpt', 'api', 'Acme', true, 0, 1, 0, 0, 1, 0],
      [D1, 'chatgpt', 'api', 'Globex', false, 1, 1, 1, 1, 1, 1], // 1/1; 1/1
      [D1, 'chatgpt', 'api', 'Initech', false, 0, 1, 0, 0, 1, 0],
      // D1 chatgpt ui: 4 answers with citations, 8 citations
      // Acme: rows with brand Acme: r1 twice, r5 (r2's acme.com row has brand NULL) → 2/4; 3/8
      [D1, 'chatgpt', 'ui', 'Acme', true, 2, 4, 0.5, 3, 8, 0.375],
      [D1, 'chatgpt', 'ui', 'Globex', false, 1, 4, 0.25, 1, 8, 0.125], // r2: 1/4; 1/8
      [D1, 'chatgpt', 'ui', 'Initech', false, 0, 4, 0, 0, 8, 0],
      // D2 chatgpt ui: r9 cites only wikipedia.org → every brand 0/1; 0/1
      [D2, 'chatgpt', 'ui', 'Acme', true, 0, 1, 0, 0, 1, 0],
      [D2, 'chatgpt', 'ui', 'Globex', false, 0, 1, 0, 0, 1, 0],
      [D2, 'chatgpt', 'ui', 'Initech', false, 0, 1, 0, 0, 1, 0],
      // D2 perplexity ui: r10 cites acme.com (Acme) and blog.globex.io (Globex) → 1 answer, 2 citations
      [D2, 'perplexity', 'ui', 'Acme', true, 1, 1, 1, 1, 2, 0.5], // 1/1; 1/2
      [D2, 'perplexity', 'ui', 'Globex', false, 1, 1, 1, 1, 2, 0.5], // 1/1; 1/2
      [D2, 'perplexity', 'ui', 'Initech', false, 0, 1, 0, 0, 2, 0],
    ];
    const names = [
      'day',
      'ai_source',
      'capture_mode',
      'brand',
      'is_own',
      'answers_citing',
      'answers_with_citations',
      'citation_rate',
      'citations',
      'citations_in_group',
      'citation_share',
    ];
    const expectedRows = expected.map((tuple) => {
      const row: Row = Object.fromEntries(names.map((name, i) => [name, tuple[i]]));
      row.brand_id = Number(brandIds[tuple[3]]);
      return row;
    });
    assertRows(rows, expectedRows, new Set(['citation_rate', 'citation_share']));
  });
});

test('re-applying sql/ replaces views of another shape (an older version), which CREATE OR REPLACE cannot', async () => {
  for (const view of ['brand_visibility', 'citation_domains', 'brand_citations']) {
    await t.pool.query(`DROP VIEW ${view}; CREATE VIEW ${view} AS SELECT 1 AS old_column, 'x'::text AS day`);
  }
  await markSqlOlder(t.pool);
  const result = await migrate(t.pool);
  assert.equal(result.sqlApplied, true);
  const rows = await read(
    `SELECT (SELECT count(*) FROM brand_visibility) AS visibility, (SELECT count(*) FROM citation_domains) AS domains,
            (SELECT count(*) FROM brand_citations) AS brands`,
  );
  // 6 groups × 3 brands; 8 (group, domain) pairs; 4 groups with citations × 3 brands
  assert.deepEqual(rows, [{ visibility: 18, domains: 8, brands: 12 }]);
});
