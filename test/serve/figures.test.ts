// The figures API of avt serve (GET /api/figures/..., /api/brands, /api/sources, /api/categories) against a
// fixture small enough to compute by hand. Every expected count, rate and position below is worked out on
// paper; the Wilson bounds are literals from a calculator (to 6 decimals), never the formula run again here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrandFigureRow } from '../../src/serve/queries/figures.ts';
import type { RunningServer } from '../../src/serve/startServe.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { startTestServer } from '../helpers/serve.ts';

let t: TestDatabase;
let server: RunningServer;
const brandIds: Record<string, number> = {};
const answerIds: Record<string, string> = {};
const capturedAt: Record<string, string> = {};

/*
 * The fixture: categories CRM, Email; brands Acme (own), Globex, and Initech added after every answer.
 * 2025-03-09 is a Sunday (ISO week of 03-03); 03-31 is a Monday whose week runs into April.
 *
 *   answer  captured_at (UTC)   source      mode  category  mentions (brand position sentiment recommended)
 *   a1      03-09 10:00         chatgpt     ui    CRM       Acme 1 positive true
 *   a2      03-09 11:00         chatgpt     ui    CRM       Globex 1 neutral false; Acme 2 neutral false
 *   a3      03-10 09:00         chatgpt     ui    CRM       only Hooli (untracked: brand_id NULL)
 *   a4      03-10 10:00         chatgpt     ui    Email     Acme 1 negative false
 *   a5      03-10 11:00         chatgpt     ui    CRM       Globex 1 negative false
 *   a6      03-11 12:00         chatgpt     ui    Email     Acme 3 positive true
 *   a7      03-31 08:00         chatgpt     ui    CRM       Acme 1 positive true
 *   a8      04-01 08:00         chatgpt     ui    CRM       Globex 2 positive true
 *   a9      04-01 09:00         chatgpt     ui    Email     none
 *   p1      03-10 12:00         perplexity  ui    CRM       Acme 1 positive true
 *   x1      03-10 13:00         chatgpt     api   CRM       Acme 2 neutral false
 *
 *   citations (position url domain owner): a1 1 acme.com/pricing Acme, 2 acme.com/features Acme,
 *   3 en.wikipedia.org wikipedia.org -; a2 1 globex.io Globex; a5 1 wikipedia.org -; p1 1 acme.com Acme
 *   discovered competitors: a1 Hooli positive; a2 hooli neutral; a7 Hooli positive; a5 Pied Piper negative
 *   (twice: one answer)
 */
async function loadFixture(): Promise<void> {
  const q = (text: string, values: unknown[] = []) => t.pool.query(text, values);
  await q('UPDATE ai_sources SET enabled = false'); // no runs: the answers are inserted directly
  const { rows: categories } = await q(
    `INSERT INTO categories (name) VALUES ('CRM'), ('Email') RETURNING id, name`,
  );
  const categoryId = (name: string) => categories.find((c) => c.name === name)?.id;
  const { rows: brands } = await q(
    `INSERT INTO brands (name, domains, is_own) VALUES ('Acme', '{acme.com}', true), ('Globex', '{globex.io}', false)
     RETURNING id, name`,
  );
  for (const b of brands) brandIds[b.name] = Number(b.id);
  const { rows: prompts } = await q(
    `INSERT INTO prompts (text, category_id) VALUES ('best crm', $1), ('best email tool', $2) RETURNING id, text`,
    [categoryId('CRM'), categoryId('Email')],
  );
  const crm = prompts.find((p) => p.text === 'best crm')?.id;
  const email = prompts.find((p) => p.text === 'best email tool')?.id;

  const answers: [string, string, string, string, string][] = [
    ['a1', '2025-03-09T10:00:00Z', 'chatgpt', 'ui', crm],
    ['a2', '2025-03-09T11:00:00Z', 'chatgpt', 'ui', crm],
    ['a3', '2025-03-10T09:00:00Z', 'chatgpt', 'ui', crm],
    ['a4', '2025-03-10T10:00:00Z', 'chatgpt', 'ui', email],
    ['a5', '2025-03-10T11:00:00Z', 'chatgpt', 'ui', crm],
    ['a6', '2025-03-11T12:00:00Z', 'chatgpt', 'ui', email],
    ['a7', '2025-03-31T08:00:00Z', 'chatgpt', 'ui', crm],
    ['a8', '2025-04-01T08:00:00Z', 'chatgpt', 'ui', crm],
    ['a9', '2025-04-01T09:00:00Z', 'chatgpt', 'ui', email],
    ['p1', '2025-03-10T12:00:00Z', 'perplexity', 'ui', crm],
    ['x1', '2025-03-10T13:00:00Z', 'chatgpt', 'api', crm],
  ];
  for (const [key, at, source, mode, prompt] of answers) {
    const { rows } = await q(
      `INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, captured_at)
       VALUES (0, $1, $2, $3, $4, $5) RETURNING id`,
      [prompt, source, mode, `answer ${key}`, at],
    );
    answerIds[key] = rows[0].id;
    capturedAt[key] = at;
  }
  const mentions: [string, string | null, number, string, boolean][] = [
    ['a1', 'Acme', 1, 'positive', true],
    ['a2', 'Globex', 1, 'neutral', false],
    ['a2', 'Acme', 2, 'neutral', false],
    ['a3', null, 1, 'positive', true],
    ['a4', 'Acme', 1, 'negative', false],
    ['a5', 'Globex', 1, 'negative', false],
    ['a6', 'Acme', 3, 'positive', true],
    ['a7', 'Acme', 1, 'positive', true],
    ['a8', 'Globex', 2, 'positive', true],
    ['p1', 'Acme', 1, 'positive', true],
    ['x1', 'Acme', 2, 'neutral', false],
  ];
  for (const [key, brand, position, sentiment, recommended] of mentions) {
    await q(
      `INSERT INTO brand_mentions (response_id, captured_at, brand_id, brand_name, position, sentiment, recommended)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        answerIds[key],
        capturedAt[key],
        brand ? brandIds[brand] : null,
        brand ?? 'Hooli',
        position,
        sentiment,
        recommended,
      ],
    );
  }
  const citations: [string, number, string, string, string | null][] = [
    ['a1', 1, 'https://acme.com/pricing', 'acme.com', 'Acme'],
    ['a1', 2, 'https://acme.com/features', 'acme.com', 'Acme'],
    ['a1', 3, 'https://en.wikipedia.org/wiki/CRM', 'wikipedia.org', null],
    ['a2', 1, 'https://globex.io/', 'globex.io', 'Globex'],
    ['a5', 1, 'https://en.wikipedia.org/wiki/Sales', 'wikipedia.org', null],
    ['p1', 1, 'https://acme.com/', 'acme.com', 'Acme'],
  ];
  for (const [key, position, url, domain, brand] of citations) {
    await q(
      `INSERT INTO citations (response_id, captured_at, position, url, domain, brand_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [answerIds[key], capturedAt[key], position, url, domain, brand ? brandIds[brand] : null],
    );
  }
  const discovered: [string, string, string][] = [
    ['a1', 'Hooli', 'positive'],
    ['a2', 'hooli', 'neutral'],
    ['a7', 'Hooli', 'positive'],
    ['a5', 'Pied Piper', 'negative'],
    ['a5', 'Pied Piper', 'negative'],
  ];
  for (const [key, name, sentiment] of discovered) {
    await q(
      `INSERT INTO discovered_competitors (response_id, captured_at, name, sentiment) VALUES ($1, $2, $3, $4)`,
      [answerIds[key], capturedAt[key], name, sentiment],
    );
  }
  const { rows: later } = await q(
    `INSERT INTO brands (name, domains) VALUES ('Initech', '{initech.com}') RETURNING id`,
  );
  brandIds.Initech = Number(later[0].id);
}

before(async () => {
  t = await createTestDatabase();
  await loadFixture();
  server = await startTestServer(t);
});
after(async () => {
  await server?.close();
  await t.drop();
});

interface Reply {
  status: number;
  etag: string | null;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies, checked field by field
  body: any;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    text,
    body: text ? JSON.parse(text) : null,
  };
}

async function ok(path: string): Promise<Reply> {
  const reply = await get(path);
  assert.equal(reply.status, 200, `${path}: ${reply.text}`);
  return reply;
}

/** The window of the whole fixture. */
const ALL = 'since=2025-03-09&until=2025-04-01';

/** A row's figures beside what was worked out; rates and bounds to 6 decimals. */
function assertFigures(
  rows: BrandFigureRow[],
  where: Partial<BrandFigureRow>,
  expected: Partial<BrandFigureRow>,
): void {
  const matching = rows.filter((row) =>
    Object.entries(where).every(([key, value]) => row[key as keyof BrandFigureRow] === value),
  );
  assert.equal(matching.length, 1, `one row for ${JSON.stringify(where)}; got ${JSON.stringify(matching)}`);
  const row = matching[0] as BrandFigureRow;
  for (const [key, value] of Object.entries(expected)) {
    const actual = row[key as keyof BrandFigureRow];
    const label = `${JSON.stringify(where)} ${key}: ${actual} vs ${value}`;
    if (typeof value === 'number' && !Number.isInteger(value)) {
      assert.ok(typeof actual === 'number' && Math.abs(actual - value) < 5e-7, label);
    } else {
      assert.equal(actual, value, label);
    }
  }
}

describe('GET /api/figures/brands', () => {
  test('day grain: each UTC day × source × mode × brand, with the Wilson interval of its own counts', async () => {
    const { body } = await ok(`/api/figures/brands?${ALL}&ai_source=chatgpt&capture_mode=ui&grain=day`);
    assert.deepEqual(body.filters, {
      since: '2025-03-09',
      until: '2025-04-01',
      ai_source: 'chatgpt',
      category: null,
      capture_mode: 'ui',
      brand: null,
      grain: 'day',
    });
    const rows = body.rows as BrandFigureRow[];
    // 5 days with chatgpt ui answers × 3 brands
    assert.equal(rows.length, 15);
    assert.deepEqual(
      [...new Set(rows.map((row) => row.period))],
      ['2025-03-09', '2025-03-10', '2025-03-11', '2025-03-31', '2025-04-01'],
    );
    // 03-09: a1, a2 both name Acme (positions 1 and 2); both name a tracked brand
    assertFigures(
      rows,
      { period: '2025-03-09', brand: 'Acme' },
      {
        answers: 2,
        mentioned: 2,
        mention_rate: 1,
        ci_low: 0.34238,
        ci_high: 1,
        share_of_voice: 1,
        avg_position: 1.5,
        positive: 1,
        neutral: 1,
        negative: 0,
        recommended: 1,
      },
    );
    // 03-10: a3 (untracked only), a4 (Acme), a5 (Globex): a = 2
    assertFigures(
      rows,
      { period: '2025-03-10', brand: 'Globex' },
      {
        answers: 3,
        mentioned: 1,
        mention_rate: 1 / 3,
        ci_low: 0.061492,
        ci_high: 0.79234,
        share_of_voice: 0.5,
        avg_position: 1,
        negative: 1,
      },
    );
    // 04-01: a8 (Globex), a9 (none): Acme at zero
    assertFigures(
      rows,
      { period: '2025-04-01', brand: 'Acme' },
      {
        answers: 2,
        mentioned: 0,
        mention_rate: 0,
        ci_low: 0,
        ci_high: 0.65762,
        share_of_voice: 0,
        avg_position: null,
        positive: 0,
        recommended: 0,
      },
    );
  });

  test('week grain: ISO weeks from Monday, counts added over their days before dividing', async () => {
    const { body } = await ok(`/api/figures/brands?${ALL}&ai_source=chatgpt&capture_mode=ui&grain=week`);
    const rows = body.rows as BrandFigureRow[];
    assert.deepEqual([...new Set(rows.map((row) => row.period))], ['2025-03-03', '2025-03-10', '2025-03-31']);
    // week of 03-10: a3, a4, a5, a6; Acme in a4 (1) and a6 (3); a = 3 (a4, a5, a6)
    assertFigures(
      rows,
      { period: '2025-03-10', brand: 'Acme' },
      {
        answers: 4,
        mentioned: 2,
        mention_rate: 0.5,
        ci_low: 0.150039,
        ci_high: 0.849961,
        share_of_voice: 2 / 3,
        avg_position: 2,
        positive: 1,
        negative: 1,
        recommended: 1,
      },
    );
    assertFigures(
      rows,
      { period: '2025-03-10', brand: 'Globex' },
      {
        answers: 4,
        mentioned: 1,
        ci_low: 0.045587,
        ci_high: 0.699358,
        share_of_voice: 1 / 3,
      },
    );
    // week of 03-31 runs into April: a7 (Acme 1), a8 (Globex 2), a9 (none)
    assertFigures(
      rows,
      { period: '2025-03-31', brand: 'Globex' },
      {
        answers: 3,
        mentioned: 1,
        ci_low: 0.061492,
        ci_high: 0.79234,
        share_of_voice: 0.5,
        avg_position: 2,
      },
    );
  });

  test('month grain: every source and mode its own row; a brand added later shows zeros', async () => {
    const { body } = await ok(`/api/figures/brands?${ALL}&grain=month`);
    const rows = body.rows as BrandFigureRow[];
    assert.deepEqual(
      rows.map((row) => `${row.period} ${row.ai_source} ${row.capture_mode} ${row.brand}`),
      [
        '2025-03-01 chatgpt api Acme',
        '2025-03-01 chatgpt api Globex',
        '2025-03-01 chatgpt api Initech',
        '2025-03-01 chatgpt ui Acme',
        '2025-03-01 chatgpt ui Globex',
        '2025-03-01 chatgpt ui Initech',
        '2025-03-01 perplexity ui Acme',
        '2025-03-01 perplexity ui Globex',
        '2025-03-01 perplexity ui Initech',
        '2025-04-01 chatgpt ui Acme',
        '2025-04-01 chatgpt ui Globex',
        '2025-04-01 chatgpt ui Initech',
      ],
    );
    // March, chatgpt ui: a1..a7; Acme in a1 (1), a2 (2), a4 (1), a6 (3), a7 (1); a = 6 (all but a3)
    const march = { period: '2025-03-01', ai_source: 'chatgpt', capture_mode: 'ui' };
    assertFigures(
      rows,
      { ...march, brand: 'Acme' },
      {
        answers: 7,
        mentioned: 5,
        mention_rate: 5 / 7,
        ci_low: 0.358934,
        ci_high: 0.917781,
        share_of_voice: 5 / 6,
        avg_position: 1.6,
        positive: 3,
        neutral: 1,
        negative: 1,
        recommended: 3,
      },
    );
    assertFigures(
      rows,
      { ...march, brand: 'Globex' },
      {
        mentioned: 2,
        ci_low: 0.082219,
        ci_high: 0.641066,
        share_of_voice: 2 / 6,
        avg_position: 1,
      },
    );
    assertFigures(
      rows,
      { ...march, brand: 'Initech' },
      {
        answers: 7,
        mentioned: 0,
        mention_rate: 0,
        ci_low: 0,
        ci_high: 0.35433,
        share_of_voice: 0,
        avg_position: null,
        positive: 0,
        neutral: 0,
        negative: 0,
        recommended: 0,
      },
    );
    assertFigures(
      rows,
      { period: '2025-03-01', ai_source: 'perplexity', brand: 'Acme' },
      {
        answers: 1,
        mentioned: 1,
        ci_low: 0.206549,
        ci_high: 1,
      },
    );
    const initech = rows.find((row) => row.brand === 'Initech') as BrandFigureRow & {
      brand_id: number;
      is_own: boolean;
    };
    assert.equal(initech.brand_id, brandIds.Initech);
    assert.equal(initech.is_own, false);
  });

  test('the day rows add up to brand_visibility: the same counts under the public view', async () => {
    const { body } = await ok(`/api/figures/brands?${ALL}`);
    const { rows: view } = await t.pool.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS period, ai_source, capture_mode, brand,
              sum(answers)::int AS answers, sum(mentioned)::int AS mentioned,
              sum(answers_with_any_brand)::int AS any_brand, sum(recommended)::int AS recommended
       FROM brand_visibility GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    );
    const api = (body.rows as BrandFigureRow[])
      .map((row) => ({
        period: row.period,
        ai_source: row.ai_source,
        capture_mode: row.capture_mode,
        brand: row.brand,
        answers: row.answers,
        mentioned: row.mentioned,
        recommended: row.recommended,
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const expected = view
      .map(({ any_brand: _, ...row }) => row)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.ok(expected.length > 0);
    assert.deepEqual(api, expected);
  });

  test('category, brand, source and mode narrow the groups; since cuts a week short', async () => {
    const crm = (
      await ok(`/api/figures/brands?${ALL}&grain=month&ai_source=chatgpt&capture_mode=ui&category=CRM`)
    ).body.rows as BrandFigureRow[];
    // March CRM: a1, a2, a3, a5, a7; Acme in a1 (1), a2 (2), a7 (1); a = 4
    assertFigures(
      crm,
      { period: '2025-03-01', brand: 'Acme' },
      {
        answers: 5,
        mentioned: 3,
        ci_low: 0.230724,
        ci_high: 0.882379,
        share_of_voice: 0.75,
        avg_position: 4 / 3,
      },
    );
    assertFigures(crm, { period: '2025-04-01', brand: 'Globex' }, { answers: 1, mentioned: 1 });

    const globex = (await ok(`/api/figures/brands?${ALL}&grain=month&brand=Globex`)).body
      .rows as BrandFigureRow[];
    assert.deepEqual(
      globex.map((row) => `${row.period} ${row.ai_source} ${row.capture_mode} ${row.brand} ${row.mentioned}`),
      [
        '2025-03-01 chatgpt api Globex 0',
        '2025-03-01 chatgpt ui Globex 2',
        '2025-03-01 perplexity ui Globex 0',
        '2025-04-01 chatgpt ui Globex 1',
      ],
    );
    // The brand narrows the rows, not the denominators.
    assertFigures(
      globex,
      { period: '2025-03-01', ai_source: 'chatgpt', capture_mode: 'ui' },
      {
        answers: 7,
        share_of_voice: 2 / 6,
      },
    );

    const perplexity = (await ok(`/api/figures/brands?${ALL}&grain=month&ai_source=perplexity`)).body
      .rows as BrandFigureRow[];
    assert.deepEqual([...new Set(perplexity.map((row) => row.ai_source))], ['perplexity']);
    assertFigures(perplexity, { brand: 'Acme' }, { answers: 1, mentioned: 1, avg_position: 1 });

    const api = (await ok(`/api/figures/brands?${ALL}&grain=month&capture_mode=api`)).body
      .rows as BrandFigureRow[];
    assert.deepEqual([...new Set(api.map((row) => `${row.ai_source} ${row.capture_mode}`))], ['chatgpt api']);
    assertFigures(api, { brand: 'Acme' }, { answers: 1, mentioned: 1, avg_position: 2, neutral: 1 });

    // The week of 03-10 from 03-11 on: only a6 counts; the period is still named by its Monday.
    const cut = (
      await ok('/api/figures/brands?since=2025-03-11&until=2025-03-11&grain=week&ai_source=chatgpt')
    ).body.rows as BrandFigureRow[];
    assertFigures(
      cut,
      { period: '2025-03-10', brand: 'Acme' },
      {
        answers: 1,
        mentioned: 1,
        ci_low: 0.206549,
        avg_position: 3,
      },
    );

    assert.deepEqual((await ok('/api/figures/brands?since=2024-01-01&until=2024-01-31')).body.rows, []);
  });
});

describe('GET /api/figures/citations/* and /api/figures/competitors', () => {
  test('cited domains: most cited first, with their share of all citations in the window', async () => {
    const { body } = await ok(`/api/figures/citations/domains?${ALL}`);
    assert.deepEqual(body.rows, [
      {
        domain: 'acme.com',
        brand_id: brandIds.Acme,
        brand: 'Acme',
        is_own: true,
        citations: 3,
        answers_citing: 2,
        share: 0.5,
      },
      {
        domain: 'wikipedia.org',
        brand_id: null,
        brand: null,
        is_own: null,
        citations: 2,
        answers_citing: 2,
        share: 2 / 6,
      },
      {
        domain: 'globex.io',
        brand_id: brandIds.Globex,
        brand: 'Globex',
        is_own: false,
        citations: 1,
        answers_citing: 1,
        share: 1 / 6,
      },
    ]);
    const chatgpt = (await ok(`/api/figures/citations/domains?${ALL}&ai_source=chatgpt&limit=2`)).body.rows;
    assert.deepEqual(
      chatgpt.map((row: { domain: string; citations: number; share: number }) => [
        row.domain,
        row.citations,
        row.share,
      ]),
      [
        ['acme.com', 2, 0.4],
        ['wikipedia.org', 2, 0.4],
      ],
    );
    const acme = (await ok(`/api/figures/citations/domains?${ALL}&brand=Acme`)).body.rows;
    assert.deepEqual(
      acme.map((row: { domain: string; share: number }) => [row.domain, row.share]),
      [['acme.com', 0.5]],
    );
    // Citations are not kept per category: the echo says the category did not narrow them.
    const crm = (await ok(`/api/figures/citations/domains?${ALL}&category=CRM`)).body;
    assert.equal(crm.filters.category, null);
    assert.equal(crm.rows.length, 3);
  });

  test('brand citations: every tracked brand, zeros included', async () => {
    assert.deepEqual((await ok(`/api/figures/citations/brands?${ALL}`)).body.rows, [
      { brand_id: brandIds.Acme, brand: 'Acme', is_own: true, citations: 3, answers_citing: 2 },
      { brand_id: brandIds.Globex, brand: 'Globex', is_own: false, citations: 1, answers_citing: 1 },
      { brand_id: brandIds.Initech, brand: 'Initech', is_own: false, citations: 0, answers_citing: 0 },
    ]);
    assert.deepEqual(
      (await ok(`/api/figures/citations/brands?${ALL}&ai_source=perplexity&brand=Acme`)).body.rows,
      [{ brand_id: brandIds.Acme, brand: 'Acme', is_own: true, citations: 1, answers_citing: 1 }],
    );
  });

  test('competitors: names grouped with case ignored, each answer once, narrowed like the answers', async () => {
    assert.deepEqual((await ok(`/api/figures/competitors?${ALL}`)).body.rows, [
      {
        name: 'Hooli',
        answers: 3,
        positive: 2,
        neutral: 1,
        negative: 0,
        first_seen: '2025-03-09T10:00:00.000Z',
        last_seen: '2025-03-31T08:00:00.000Z',
      },
      {
        name: 'Pied Piper',
        answers: 1,
        positive: 0,
        neutral: 0,
        negative: 1,
        first_seen: '2025-03-10T11:00:00.000Z',
        last_seen: '2025-03-10T11:00:00.000Z',
      },
    ]);
    const names = async (query: string) =>
      ((await ok(`/api/figures/competitors?${query}`)).body.rows as { name: string; answers: number }[])
        .map((row) => `${row.name} ${row.answers}`)
        .sort();
    assert.deepEqual(await names(`${ALL}&limit=1`), ['Hooli 3']);
    // Answers that mention Globex: a2 (hooli), a5 (Pied Piper), a8 (none)
    assert.deepEqual(await names(`${ALL}&brand=Globex`), ['Pied Piper 1', 'hooli 1']);
    assert.deepEqual(await names(`${ALL}&category=Email`), []);
    assert.deepEqual(await names('since=2025-03-31&until=2025-04-01'), ['Hooli 1']);
  });
});

describe('the lists the filters choose from', () => {
  test('/api/brands, /api/categories and /api/sources', async () => {
    assert.deepEqual((await ok('/api/brands')).body.rows, [
      { id: brandIds.Acme, name: 'Acme', aliases: [], domains: ['acme.com'], is_own: true },
      { id: brandIds.Globex, name: 'Globex', aliases: [], domains: ['globex.io'], is_own: false },
      { id: brandIds.Initech, name: 'Initech', aliases: [], domains: ['initech.com'], is_own: false },
    ]);
    assert.deepEqual(
      (await ok('/api/categories')).body.rows.map((row: { name: string }) => row.name),
      ['CRM', 'Email'],
    );
    await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'gemini')`);
    const sources = (await ok('/api/sources')).body.rows as { name: string; enabled: boolean }[];
    assert.deepEqual(
      sources.find((row) => row.name === 'gemini'),
      { name: 'gemini', enabled: true },
    );
    assert.deepEqual(
      sources.find((row) => row.name === 'chatgpt'),
      { name: 'chatgpt', enabled: false },
    );
  });

  test('/api/openapi.json documents every route with its parameters', async () => {
    const { body } = await ok('/api/openapi.json');
    for (const path of [
      '/api/figures/brands',
      '/api/figures/citations/domains',
      '/api/figures/citations/brands',
      '/api/figures/competitors',
      '/api/brands',
      '/api/sources',
      '/api/categories',
    ]) {
      assert.ok(body.paths[path]?.get, `${path} is documented`);
    }
    const parameters = body.paths['/api/figures/citations/domains'].get.parameters.map(
      (parameter: { name: string }) => parameter.name,
    );
    for (const name of ['since', 'until', 'ai_source', 'category', 'capture_mode', 'brand', 'limit']) {
      assert.ok(parameters.includes(name), `limit and the filters are documented: ${name}`);
    }
    assert.ok(body.paths['/api/figures/brands'].get.responses['200'].content['application/json'].schema);
  });
});

describe('bad parameters', () => {
  const cases: [string, RegExp][] = [
    ['/api/figures/brands?since=2025-02-30', /since: 2025-02-30 is not a calendar day/],
    ['/api/figures/brands?until=yesterday', /until must be a day as YYYY-MM-DD/],
    ['/api/figures/brands?since=2025-03-10&until=2025-03-09', /since \(2025-03-10\) is after until/],
    [
      '/api/figures/brands?ai_source=bard',
      /ai_source: unknown 'bard'; known: chatgpt, claude, copilot, gemini/,
    ],
    ['/api/figures/brands?category=Travel', /category: unknown 'Travel'; known: CRM, Email/],
    ['/api/figures/brands?brand=Hooli', /brand: unknown 'Hooli'; known: Acme, Globex, Initech/],
    ['/api/figures/brands?grain=year', /grain/],
    ['/api/figures/brands?capture_mode=app', /capture_mode/],
    ['/api/figures/citations/domains?limit=0', /limit/],
    ['/api/figures/citations/domains?limit=501', /limit/],
    ['/api/figures/competitors?limit=many', /limit/],
    ['/api/figures/citations/brands?brand=acme', /brand: unknown 'acme'/],
    ['/api/figures/competitors?ai_source=bard', /ai_source: unknown 'bard'/],
  ];
  for (const [path, message] of cases) {
    test(`${path} is a 400 that names the parameter`, async () => {
      const reply = await get(path);
      assert.equal(reply.status, 400, reply.text);
      assert.match(reply.body.error, message);
    });
  }
});

describe('ETags', () => {
  test('a second GET with If-None-Match is a 304 without a body, until a new answer commits', async () => {
    const path = '/api/figures/brands?since=2025-06-01&until=2025-06-30&grain=month';
    const first = await ok(path);
    assert.deepEqual(first.body.rows, []);
    assert.ok(first.etag);
    const again = await get(path, { 'if-none-match': first.etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    // Another question has another ETag.
    assert.notEqual(
      (await ok('/api/figures/brands?since=2025-06-01&until=2025-06-30&grain=week')).etag,
      first.etag,
    );

    const { rows: prompt } = await t.pool.query(`SELECT id FROM prompts WHERE text = 'best crm'`);
    await t.pool.query(
      `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
       VALUES (0, $1, 'chatgpt', 'a June answer', '2025-06-05T10:00:00Z')`,
      [prompt[0].id],
    );
    // The server drops its cache on the commit's notification; until then it still answers 304.
    const changed = (await waitFor(
      async () => {
        const reply = await get(path, { 'if-none-match': first.etag as string });
        return reply.status === 200 ? reply : null;
      },
      10_000,
      'the server to see the new answer',
    )) as Reply;
    assert.notEqual(changed.etag, first.etag);
    assert.equal(changed.body.rows.length, 3);
    assert.equal(changed.body.rows[0].answers, 1);
  });
});
