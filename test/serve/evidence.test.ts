// GET /api/answers: the answers behind a figure, newest first, cursor-paged, with their mentions and
// citations; narrowed by the filters, a brand and a literal text search; reading only the window's months.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../src/serve/startServe.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer } from '../helpers/serve.ts';

let t: TestDatabase;
let server: RunningServer;
const brandIds: Record<string, number> = {};

interface Answer {
  id: number;
  /** To the microsecond, in one fixed format: string order is time order. */
  at: string;
  source: string;
  mode: string;
  category: string;
  text: string;
}
const answers: Answer[] = [];

/** The fixture's window: April and May 2025, each month a partition of its own. */
const WINDOW = 'since=2025-04-01&until=2025-05-31';

/*
 * 30 answers over April and May 2025: sources chatgpt and perplexity, categories CRM and Email, modes ui and
 * api. Four share one captured_at (their order is their id's), two differ by microseconds within one
 * millisecond. Answer n names Acme when n % 3 = 0, Globex when n % 4 = 0, and an untracked "Acme Labs" when
 * n % 5 = 0. The texts hold the search cases: "50%_off" (literally), "50% off" and "50xxoff" (which an
 * unescaped pattern would also match), and "ACME ROCKS".
 */
async function loadFixture(): Promise<void> {
  const q = (text: string, values: unknown[] = []) => t.pool.query(text, values);
  await q('UPDATE ai_sources SET enabled = false');
  await q(`SELECT create_month_partitions('2025-04-01'), create_month_partitions('2025-05-01')`);
  const { rows: categories } = await q(
    `INSERT INTO categories (name) VALUES ('CRM'), ('Email') RETURNING id, name`,
  );
  const { rows: brands } = await q(
    `INSERT INTO brands (name, domains, is_own) VALUES ('Acme', '{acme.com}', true), ('Globex', '{globex.io}', false)
     RETURNING id, name`,
  );
  for (const b of brands) brandIds[b.name] = Number(b.id);
  const { rows: prompts } = await q(
    `INSERT INTO prompts (text, category_id) VALUES ('best crm', $1), ('best email tool', $2) RETURNING id, text`,
    [categories.find((c) => c.name === 'CRM')?.id, categories.find((c) => c.name === 'Email')?.id],
  );
  const texts: Record<number, string> = {
    7: 'Get 50%_off today at Acme',
    8: 'Get 50% off today',
    9: 'Get 50xxoff today',
    10: 'ACME ROCKS, say the reviews',
  };
  for (let n = 1; n <= 30; n++) {
    const day = 1 + ((n * 7) % 28);
    const month = n % 2 === 0 ? '04' : '05';
    let at = `2025-${month}-${String(day).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00.000000Z`;
    if (n >= 11 && n <= 14) at = '2025-05-20T12:00:00.000000Z';
    if (n === 15) at = '2025-05-02T10:00:00.123456Z';
    if (n === 16) at = '2025-05-02T10:00:00.123789Z';
    const answer: Answer = {
      id: 0,
      at,
      source: n % 3 === 1 ? 'perplexity' : 'chatgpt',
      mode: n % 7 === 0 ? 'api' : 'ui',
      category: n % 2 === 0 ? 'Email' : 'CRM',
      text: texts[n] ?? `answer number ${n}`,
    };
    const prompt = prompts.find(
      (p) => p.text === (answer.category === 'CRM' ? 'best crm' : 'best email tool'),
    );
    const { rows } = await q(
      `INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, captured_at, extraction_method)
       VALUES (0, $1, $2, $3, $4, $5, 'llm') RETURNING id`,
      [prompt?.id, answer.source, answer.mode, answer.text, answer.at],
    );
    answer.id = Number(rows[0].id);
    answers.push(answer);
    const named: [number | null, string][] = [];
    if (n % 3 === 0) named.push([brandIds.Acme as number, 'Acme']);
    if (n % 4 === 0) named.push([brandIds.Globex as number, 'Globex']);
    if (n % 5 === 0) named.push([null, 'Acme Labs']);
    for (const [position, [brandId, name]] of named.entries()) {
      await q(
        `INSERT INTO brand_mentions (response_id, captured_at, brand_id, brand_name, position, mention_count,
                                     sentiment, recommended, snippet)
         VALUES ($1, $2, $3, $4, $5, 2, 'positive', true, $6)`,
        [answer.id, answer.at, brandId, name, position + 1, `… ${name} …`],
      );
    }
  }
  const twelve = answers[11] as Answer;
  await q(
    `INSERT INTO citations (response_id, captured_at, position, url, domain, title, brand_id) VALUES
       ($1, $2, 2, 'https://en.wikipedia.org/wiki/CRM', 'wikipedia.org', NULL, NULL),
       ($1, $2, 1, 'https://acme.com/pricing', 'acme.com', 'Pricing', $3)`,
    [twelve.id, twelve.at, brandIds.Acme],
  );
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

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, checked field by field
async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json() };
}

/** Every page of /api/answers?query, following next_cursor; the ids in the order they came. */
async function allPages(query: string): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const path: string = `/api/answers?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await get(path);
    assert.equal(status, 200, JSON.stringify(body));
    ids.push(...body.rows.map((row: { id: number }) => row.id));
    cursor = body.next_cursor;
    pages += 1;
    assert.ok(pages <= answers.length + 1, 'paging ends');
  } while (cursor);
  return { ids, pages };
}

/** The fixture's answers that pass `keep`, newest first (captured_at, then id, descending). */
function newestFirst(keep: (answer: Answer) => boolean = () => true): number[] {
  return answers
    .filter(keep)
    .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1))
    .map((answer) => answer.id);
}

describe('GET /api/answers', () => {
  test('paging with the cursor returns every answer exactly once, newest first, ties by id', async () => {
    const expected = newestFirst();
    const bySeven = await allPages(`${WINDOW}&limit=7`);
    assert.deepEqual(bySeven.ids, expected);
    assert.equal(bySeven.pages, 5);
    // One at a time: every boundary is a cursor, including the four-way tie and the two answers one
    // millisecond apart only in their microseconds.
    assert.deepEqual((await allPages(`${WINDOW}&limit=1`)).ids, expected);
    const { body } = await get(`/api/answers?${WINDOW}&limit=30`);
    assert.equal(body.rows.length, 30);
    assert.equal(body.next_cursor, null);
  });

  test('an answer carries its prompt, category, mentions by position and citations by position', async () => {
    const twelve = answers[11] as Answer;
    const { body } = await get(`/api/answers?since=2025-05-20&until=2025-05-20&limit=200`);
    const row = body.rows.find((r: { id: number }) => r.id === twelve.id);
    assert.deepEqual(row, {
      id: twelve.id,
      captured_at: '2025-05-20T12:00:00.000Z',
      ai_source: 'chatgpt',
      capture_mode: 'ui',
      prompt: 'best email tool',
      category: 'Email',
      answer_text: 'answer number 12',
      extraction_method: 'llm',
      mentions: [
        {
          brand_id: brandIds.Acme,
          brand: 'Acme',
          position: 1,
          mention_count: 2,
          snippet: '… Acme …',
          sentiment: 'positive',
          recommended: true,
        },
        {
          brand_id: brandIds.Globex,
          brand: 'Globex',
          position: 2,
          mention_count: 2,
          snippet: '… Globex …',
          sentiment: 'positive',
          recommended: true,
        },
      ],
      citations: [
        { position: 1, url: 'https://acme.com/pricing', domain: 'acme.com', title: 'Pricing', brand: 'Acme' },
        {
          position: 2,
          url: 'https://en.wikipedia.org/wiki/CRM',
          domain: 'wikipedia.org',
          title: null,
          brand: null,
        },
      ],
    });
    assert.equal(body.rows.length, 4, 'the day holds the four tied answers');
    const untracked = (await get(`/api/answers?${WINDOW}&limit=200`)).body.rows.find(
      (r: { id: number }) => r.id === answers[4]?.id,
    );
    assert.deepEqual(
      untracked.mentions.map((m: { brand_id: number | null; brand: string }) => [m.brand_id, m.brand]),
      [[null, 'Acme Labs']],
    );
  });

  test('brand keeps the answers that mention that tracked brand, not a name that only contains it', async () => {
    const index = (answer: Answer) => answers.indexOf(answer) + 1;
    assert.deepEqual(
      (await allPages(`${WINDOW}&brand=Acme&limit=4`)).ids,
      newestFirst((a) => index(a) % 3 === 0),
    );
    assert.deepEqual(
      (await allPages(`${WINDOW}&brand=Globex`)).ids,
      newestFirst((a) => index(a) % 4 === 0),
    );
  });

  test('q matches the text case-insensitively, with % and _ taken literally', async () => {
    const texts = async (q: string) =>
      (await get(`/api/answers?${WINDOW}&q=${encodeURIComponent(q)}`)).body.rows.map(
        (row: { answer_text: string }) => row.answer_text,
      );
    assert.deepEqual(await texts('50%_off'), ['Get 50%_off today at Acme']);
    assert.deepEqual(await texts('50% off'), ['Get 50% off today']);
    assert.deepEqual(await texts('acme rocks'), ['ACME ROCKS, say the reviews']);
    assert.deepEqual((await texts('at acme')).length, 1);
    assert.deepEqual(await texts('_'), ['Get 50%_off today at Acme']);
    assert.deepEqual(await texts('\\'), []);
  });

  test('the window, source, mode and category narrow the answers', async () => {
    assert.deepEqual(
      (await allPages('since=2025-04-01&until=2025-04-30&limit=200')).ids,
      newestFirst((a) => a.at.startsWith('2025-04')),
    );
    assert.deepEqual(
      (await allPages(`${WINDOW}&ai_source=perplexity&category=CRM&limit=200`)).ids,
      newestFirst((a) => a.source === 'perplexity' && a.category === 'CRM'),
    );
    const api = newestFirst((a) => a.mode === 'api');
    assert.ok(api.length >= 2);
    assert.deepEqual((await allPages(`${WINDOW}&capture_mode=api&limit=200`)).ids, api);
    assert.deepEqual((await get('/api/answers?since=2025-03-01&until=2025-03-31')).body, {
      filters: {
        since: '2025-03-01',
        until: '2025-03-31',
        ai_source: null,
        category: null,
        capture_mode: null,
        brand: null,
        grain: 'day',
      },
      rows: [],
      next_cursor: null,
    });
  });

  test('a bad cursor, limit or name is a 400 naming it', async () => {
    const { body } = await get(`/api/answers?${WINDOW}&limit=2`);
    assert.ok(body.next_cursor);
    const forged = (text: string) => Buffer.from(text).toString('base64url');
    for (const [query, message] of [
      ['cursor=not-a-cursor', /cursor/],
      [`cursor=${forged('2025-05-01T00:00:00Z/12')}`, /cursor/],
      [`cursor=${forged('2025-13-45T99:00:00.000000Z/12')}`, /cursor/],
      ['limit=0', /limit/],
      ['limit=201', /limit/],
      ['brand=Initech', /brand: unknown 'Initech'; known: Acme, Globex/],
      ['category=crm', /category: unknown 'crm'; known: CRM, Email/],
      [`q=${'x'.repeat(201)}`, /q must NOT have more than 200 characters/],
    ] as const) {
      const reply = await get(`/api/answers?${WINDOW}&${query}`);
      assert.equal(reply.status, 400, `${query}: ${JSON.stringify(reply.body)}`);
      assert.match(reply.body.error, message);
    }
  });

  test("a month's window reads only that month's partitions", async () => {
    const { rows } = await t.pool.query<{ plan: string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
       SELECT * FROM avt_api_answers('2025-04-01', '2025-04-30', only_brand => 'Acme', max_rows => 51)`,
    );
    const plan = rows.map((row) => Object.values(row)[0]).join('\n');
    assert.match(plan, /responses_2025_04/, plan);
    assert.doesNotMatch(plan, /responses_2025_05|responses_default/, plan);
    // Mentions and citations are looked up by their answer's captured_at: May's are never read.
    for (const table of ['brand_mentions_2025_05', 'citations_2025_05']) {
      const lines = plan.split('\n').filter((line) => line.includes(table));
      assert.ok(
        lines.every((line) => /never executed/.test(line)),
        `${table} is not read:\n${plan}`,
      );
    }
  });

  test('answers committed while a client pages are not mixed into its next pages', async () => {
    const expected = newestFirst();
    const first = (await get(`/api/answers?${WINDOW}&limit=10`)).body;
    const { rows: prompt } = await t.pool.query(`SELECT id FROM prompts WHERE text = 'best crm'`);
    await t.pool.query(
      `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
       VALUES (0, $1, 'chatgpt', 'late answer', '2025-05-31T23:00:00Z')`,
      [prompt[0].id],
    );
    const ids: number[] = first.rows.map((row: { id: number }) => row.id);
    let cursor = first.next_cursor as string | null;
    while (cursor) {
      const page = (await get(`/api/answers?${WINDOW}&limit=10&cursor=${encodeURIComponent(cursor)}`)).body;
      ids.push(...page.rows.map((row: { id: number }) => row.id));
      cursor = page.next_cursor;
    }
    assert.deepEqual(ids, expected);
    const latest = (await get(`/api/answers?${WINDOW}&limit=1`)).body.rows[0];
    assert.equal(latest.answer_text, 'late answer');
  });
});
