// A month of everything lives together: an answer's mentions, citations and discovered competitors sit in
// its month's partitions however they were written, so that retention drops a month whole; the daily
// figures outlive it; and a database with rows in place upgrades to this layout without losing one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { createExtractor } from '../../src/extract/createExtractor.ts';
import { commitResult } from '../../src/queue/commitResult.ts';
import { startMaintenance } from '../../src/tasks/runner.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { assertFiguresExact } from '../helpers/figures.ts';
import { migratedByBuildBefore } from '../helpers/previousBuild.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';

const ROW_TABLES = ['brand_mentions', 'citations', 'discovered_competitors'] as const;
const MONTHLY_TABLES = ['responses', ...ROW_TABLES] as const;

type Db = Pick<TestDatabase['pool'], 'query'>;

/** Each row of an answer's tables: its partition and captured_at, by table. */
async function placement(
  db: Db,
  responseId: string,
): Promise<Record<string, { partition: string; at: string }[]>> {
  const out: Record<string, { partition: string; at: string }[]> = {};
  for (const table of MONTHLY_TABLES) {
    const key = table === 'responses' ? 'id' : 'response_id';
    const { rows } = await db.query<{ partition: string; at: string }>(
      `SELECT tableoid::regclass::text AS partition, captured_at::text AS at FROM ${table} WHERE ${key} = $1
       ORDER BY id`,
      [responseId],
    );
    out[table] = rows;
  }
  return out;
}

/** An answer loaded the way an operator would: plain INSERTs, with no captured_at on its rows. */
async function loadAnswer(db: Db, capturedAt: string, order: 'answer first' | 'rows first' = 'answer first') {
  const { rows } = await db.query<{ id: string }>(
    `SELECT nextval(pg_get_serial_sequence('responses', 'id'))::text AS id`,
  );
  const id = rows[0]?.id as string;
  const answer = () =>
    db.query(
      `INSERT INTO responses (id, run_id, prompt_id, ai_source, answer_text, captured_at) OVERRIDING SYSTEM VALUE
       VALUES ($1, 0, gen_random_uuid(), 'chatgpt', 'an answer', $2)`,
      [id, capturedAt],
    );
  const rowsOf = async () => {
    await db.query(
      `INSERT INTO brand_mentions (response_id, brand_id, brand_name, position)
       SELECT $1, b.id, b.name, 1 FROM brands b ORDER BY b.id LIMIT 1`,
      [id],
    );
    await db.query(
      `INSERT INTO citations (response_id, position, url, domain) VALUES ($1, 1, 'https://g2.com/x', 'g2.com')`,
      [id],
    );
    await db.query(`INSERT INTO discovered_competitors (response_id, name) VALUES ($1, 'Newco')`, [id]);
  };
  if (order === 'answer first') {
    await answer();
    await rowsOf();
  } else {
    await rowsOf();
    await answer();
  }
  return id;
}

/** The partitions that hold a month: `<table>_YYYY_MM` for each monthly table. */
const monthOf = (table: string, isoDay: string) => `${table}_${isoDay.slice(0, 7).replace('-', '_')}`;

describe('rows live in their answer month', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.pool.query(`INSERT INTO brands (name) VALUES ('Acme')`);
    await t.pool.query(`SELECT create_month_partitions('2026-03-01'), create_month_partitions('2026-04-01')`);
  });
  after(async () => {
    await t.drop();
  });

  test("a worker's commit writes each row into its answer's month", async () => {
    await onlySources(t.pool, 'chatgpt');
    await addPrompts(t.pool, ['committed by a worker']);
    const run = await claim(t.pool);
    assert.ok(run);
    const responseId = await commitResult(t.pool, run, {
      response: { answerText: 'answer', capturedAt: new Date('2026-03-10T23:59:00Z') },
      mentions: [
        {
          brandId: null,
          brandName: 'Acme',
          position: 1,
          mentionCount: 1,
          sentiment: null,
          recommended: null,
        },
      ],
      citations: [{ position: 1, url: 'https://acme.com/', domain: 'acme.com', title: null, brandId: null }],
      discovered: [{ name: 'Newco', sentiment: 'neutral' }],
    });
    assert.ok(responseId);
    const placed = await placement(t.pool, String(responseId));
    for (const table of MONTHLY_TABLES) {
      assert.deepEqual(
        placed[table]?.map((row) => row.partition),
        [monthOf(table, '2026-03')],
        `${table} in March's partition`,
      );
    }
  });

  test("an operator's rows without captured_at move into their answer's month, keeping their ids", async () => {
    const id = await loadAnswer(t.pool, '2026-04-02T10:00:00Z');
    const { rows: ids } = await t.pool.query<{ id: string }>(
      `SELECT id::text FROM brand_mentions WHERE response_id = $1`,
      [id],
    );
    const placed = await placement(t.pool, id);
    for (const table of ROW_TABLES) {
      assert.deepEqual(placed[table], [
        { partition: monthOf(table, '2026-04'), at: '2026-04-02 10:00:00+00' },
      ]);
    }
    const { rows: again } = await t.pool.query<{ id: string }>(
      `SELECT id::text FROM brand_mentions WHERE response_id = $1`,
      [id],
    );
    assert.deepEqual(again, ids, 'the mention kept its id');
  });

  test('rows loaded before their answer wait in the default partition and follow it when it comes', async () => {
    const { rows: next } = await t.pool.query<{ id: string }>(
      `SELECT (last_value + 1)::text AS id FROM responses_id_seq`,
    );
    const id = await loadAnswer(t.pool, '2026-03-20T08:00:00Z', 'rows first');
    assert.equal(id, next[0]?.id);
    const placed = await placement(t.pool, id);
    for (const table of ROW_TABLES) {
      assert.deepEqual(
        placed[table]?.map((row) => row.partition),
        [monthOf(table, '2026-03')],
        table,
      );
    }
    // A row whose answer never comes has no month: it stays in the default partition.
    await t.pool.query(
      `INSERT INTO citations (response_id, position, url, domain) VALUES (-7, 1, 'https://x.io/', 'x.io')`,
    );
    const orphan = await placement(t.pool, '-7');
    assert.deepEqual(orphan.citations, [{ partition: 'citations_default', at: '-infinity' }]);
  });

  test('an answer moved to another month takes its rows along', async () => {
    const id = await loadAnswer(t.pool, '2026-03-05T12:00:00Z');
    await t.pool.query(`UPDATE responses SET captured_at = '2026-04-05T12:00:00Z' WHERE id = $1`, [id]);
    const placed = await placement(t.pool, id);
    for (const table of MONTHLY_TABLES) {
      assert.deepEqual(
        placed[table]?.map((row) => row.partition),
        [monthOf(table, '2026-04')],
        table,
      );
    }
  });

  test('the figures count every moved row once', async () => {
    await assertFiguresExact(t.pool, 'after rows moved between months');
  });
});

describe('retention', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.pool.query(`INSERT INTO brands (name) VALUES ('Acme')`);
  });
  after(async () => {
    await t.drop();
  });

  /** The UTC month `offset` months from now, as YYYY-MM-DD of its first day. */
  async function month(offset: number): Promise<string> {
    const { rows } = await t.pool.query<{ day: string }>(
      `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1), 'YYYY-MM-DD')
         AS day`,
      [offset],
    );
    return rows[0]?.day as string;
  }

  async function partitionsOf(table: string): Promise<string[]> {
    const { rows } = await t.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [table],
    );
    return rows.map((row) => row.name);
  }

  test('RETENTION_MONTHS drops the months older than it from every table at once; their figures stay', async () => {
    const [fourAgo, threeAgo, twoAgo, now] = (await Promise.all([-4, -3, -2, 0].map(month))) as [
      string,
      string,
      string,
      string,
    ];
    await t.pool.query(`SELECT create_month_partitions($1), create_month_partitions($2)`, [threeAgo, twoAgo]);
    // Four months ago has no partition: its answer waits in the default partitions.
    const old = await loadAnswer(t.pool, `${fourAgo}T12:00:00Z`);
    const dropped = await loadAnswer(t.pool, `${threeAgo}T12:00:00Z`);
    const kept = await loadAnswer(t.pool, `${twoAgo}T12:00:00Z`);
    const current = await loadAnswer(t.pool, `${now}T00:00:00Z`);
    const visibility = async () =>
      (await t.pool.query(`SELECT * FROM brand_visibility ORDER BY day, ai_source, brand_id`)).rows;
    const before = await visibility();
    assert.equal(before.length, 4, 'four days with answers');

    // Keep two months: the month three months ago ended more than two months ago.
    const { rows: gone } = await t.pool.query<{ name: string }>('SELECT apply_retention(2) AS name');
    assert.deepEqual(
      gone.map((row) => row.name).sort(),
      [
        ...MONTHLY_TABLES.map((table) => monthOf(table, threeAgo)),
        ...MONTHLY_TABLES.map((table) => `${table}_default (1 rows)`),
      ].sort(),
    );
    for (const table of MONTHLY_TABLES) {
      assert.ok(!(await partitionsOf(table)).includes(monthOf(table, threeAgo)), `${table}: month dropped`);
      assert.ok((await partitionsOf(table)).includes(monthOf(table, twoAgo)), `${table}: month kept`);
    }
    for (const id of [old, dropped]) {
      const placed = await placement(t.pool, id);
      for (const table of MONTHLY_TABLES) assert.deepEqual(placed[table], [], `answer ${id}: ${table} empty`);
    }
    for (const id of [kept, current]) {
      const placed = await placement(t.pool, id);
      for (const table of MONTHLY_TABLES)
        assert.equal(placed[table]?.length, 1, `answer ${id}: ${table} kept`);
    }
    assert.deepEqual(await visibility(), before, 'brand_visibility still shows the dropped months');
    const { rows: raw } = await t.pool.query(`SELECT count(*)::int AS n FROM brand_visibility_recomputed`);
    assert.equal(raw[0]?.n, 2, 'the raw recomputation has only the answers kept');

    const { rows: again } = await t.pool.query('SELECT apply_retention(2) AS name');
    assert.deepEqual(again, [], 'a second pass drops nothing');
  });

  test('the daily maintain_partitions task applies RETENTION_MONTHS', async () => {
    const [fiveAgo, now] = (await Promise.all([-5, 0].map(month))) as [string, string];
    await t.pool.query(`SELECT create_month_partitions($1)`, [fiveAgo]);
    const old = await loadAnswer(t.pool, `${fiveAgo}T12:00:00Z`);
    const current = await loadAnswer(t.pool, `${now}T00:00:00Z`);
    const logger = pino({ level: 'silent' });
    const runner = await startMaintenance({
      pool: t.pool,
      db: t.db,
      logger,
      trackingCron: '0 0 1 1 *',
      retentionMonths: 3,
      alertWebhookUrl: undefined,
      extractor: createExtractor(t.pool, undefined, logger).extractor,
    });
    try {
      await t.pool.query(`SELECT graphile_worker.add_job('maintain_partitions')`);
      await waitFor(
        async () => !(await partitionsOf('brand_mentions')).includes(monthOf('brand_mentions', fiveAgo)),
        30_000,
        'retention',
      );
    } finally {
      await runner.stop();
    }
    assert.equal((await placement(t.pool, old)).responses?.length, 0, 'the old answer is gone');
    assert.equal((await placement(t.pool, current)).responses?.length, 1, "this month's answer stays");
  });

  test('a retention below one month is refused', async () => {
    await assert.rejects(t.pool.query('SELECT apply_retention(0)'), /retention_months must be 1 or more/);
    await assert.rejects(t.pool.query(`SELECT drop_months_before('2026-01-15')`), /first day of a month/);
  });
});

describe('an upgrade from the build before answer rows were partitioned by month', () => {
  const database = migratedByBuildBefore('migrations/0008_answer_rows_by_month.sql');

  test('keeps every row with its id, puts it in its answer month, and changes no figure', async () => {
    const old = database();
    await old.pool.query(`INSERT INTO brands (name) VALUES ('Acme'), ('Globex')`);
    const { rows: thisMonth } = await old.pool.query<{ day: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day`,
    );
    const days = ['2026-01-15', '2026-02-03', thisMonth[0]?.day as string];
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await loadAnswer(old.pool, `${days[i % 3]}T0${i % 10}:00:00Z`));
    await old.pool.query(
      `INSERT INTO brand_mentions (response_id, brand_name, position) VALUES (-1, 'no answer', 1)`,
    );
    const snapshot = async () => ({
      mentions: (
        await old.pool.query(
          `SELECT id, response_id, brand_id, brand_name, position FROM brand_mentions ORDER BY id`,
        )
      ).rows,
      citations: (await old.pool.query(`SELECT id, response_id, url, domain FROM citations ORDER BY id`))
        .rows,
      discovered: (
        await old.pool.query(
          `SELECT id, response_id, name, created_at FROM discovered_competitors ORDER BY id`,
        )
      ).rows,
      visibility: (await old.pool.query(`SELECT * FROM brand_visibility ORDER BY day, ai_source, brand_id`))
        .rows,
      domains: (await old.pool.query(`SELECT * FROM citation_domains ORDER BY day, ai_source, domain`)).rows,
    });
    const before = await snapshot();

    const result = await migrate(old.pool);
    assert.ok(result.applied.includes('0008_answer_rows_by_month'), result.applied.join());
    assert.deepEqual(await snapshot(), before, 'every row, id and figure as before');

    for (const id of answers) {
      const placed = await placement(old.pool, id);
      const answerPartition = placed.responses?.[0]?.partition as string;
      const month = answerPartition.slice('responses'.length);
      for (const table of ROW_TABLES) {
        assert.deepEqual(
          placed[table],
          [{ partition: `${table}${month}`, at: placed.responses?.[0]?.at }],
          `answer ${id}: ${table}`,
        );
      }
    }
    const orphan = await placement(old.pool, '-1');
    assert.deepEqual(orphan.brand_mentions, [{ partition: 'brand_mentions_default', at: '-infinity' }]);

    // New rows take ids after the old ones, through the worker's path.
    const newest = await loadAnswer(old.pool, `${thisMonth[0]?.day}T12:00:00Z`);
    const { rows: ids } = await old.pool.query<{ fresh: string; highest: string }>(
      `SELECT (SELECT min(id) FROM brand_mentions WHERE response_id = $1)::text AS fresh,
              (SELECT max(id) FROM brand_mentions WHERE response_id <> $1)::text AS highest`,
      [newest],
    );
    assert.ok(BigInt(ids[0]?.fresh as string) > BigInt(ids[0]?.highest as string), JSON.stringify(ids));
  });
});
