import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

/** responses_YYYY_MM for the UTC month `offset` months from now. */
async function monthName(offset: number): Promise<string> {
  const { rows } = await t.pool.query<{ name: string }>(
    `SELECT 'responses_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1),
                                    'YYYY_MM') AS name`,
    [offset],
  );
  return rows[0]?.name as string;
}

/** The first instant (UTC) of the month `offset` months from now, as a SQL expression. */
const monthStart = (offset: number) =>
  `((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '${offset} months') AT TIME ZONE 'UTC')`;

async function partitions(): Promise<string[]> {
  const { rows } = await t.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'responses'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Inserts a response captured at `capturedAt` (SQL) and returns its id and the partition it landed in. */
async function insertResponse(
  capturedAt: string,
  db: Pick<pg.ClientBase, 'query'> = t.pool,
): Promise<{ id: string; partition: string }> {
  const { rows } = await db.query<{ id: string; partition: string }>(
    `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
     VALUES (0, gen_random_uuid(), 'chatgpt', 'an answer', ${capturedAt})
     RETURNING id, tableoid::regclass::text AS partition`,
  );
  return rows[0] as { id: string; partition: string };
}

async function partitionOf(id: string): Promise<string | undefined> {
  const { rows } = await t.pool.query<{ partition: string }>(
    'SELECT tableoid::regclass::text AS partition FROM responses WHERE id = $1',
    [id],
  );
  assert.ok(rows.length <= 1, `response ${id} appears ${rows.length} times`);
  return rows[0]?.partition;
}

describe('create_response_partitions', () => {
  test('partitions for this month and 3 ahead exist, on UTC month bounds, and a second call is a no-op', async () => {
    const expected = ['responses_default', ...(await Promise.all([0, 1, 2, 3].map(monthName)))].sort();
    assert.deepEqual(await partitions(), expected, 'migrate should have created them');

    const { rows: again } = await t.pool.query('SELECT create_response_partitions(3) AS name');
    assert.deepEqual(again, [], 'a second call created partitions');
    assert.deepEqual(await partitions(), expected);

    // Bounds are whole UTC months, whatever the session's time zone (UTC+14 here).
    const client = await t.pool.connect();
    try {
      await client.query(`SET TIME ZONE 'Pacific/Kiritimati'`);
      const at = async (when: string) => (await insertResponse(when, client)).partition;
      assert.equal(await at(monthStart(0)), await monthName(0));
      assert.equal(await at(`${monthStart(1)} - interval '1 microsecond'`), await monthName(0));
      assert.equal(await at(monthStart(1)), await monthName(1));
      assert.equal(await at(monthStart(3)), await monthName(3));
      assert.equal(await at(`${monthStart(0)} - interval '1 microsecond'`), 'responses_default');
      assert.equal(await at(monthStart(4)), 'responses_default');
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
    await t.pool.query('DELETE FROM responses');
  });

  test('rows waiting in the default partition move into their month when its partition is created', async () => {
    const fiveAhead = await insertResponse(`${monthStart(5)} + interval '10 days'`);
    const lastInstant = await insertResponse(`${monthStart(6)} - interval '1 microsecond'`);
    const firstInstant = await insertResponse(monthStart(5));
    const monthBefore = await insertResponse(`${monthStart(5)} - interval '1 microsecond'`);
    const eightAhead = await insertResponse(`${monthStart(8)} + interval '1 day'`);
    const current = await insertResponse('now()');
    const waiting = [fiveAhead, lastInstant, firstInstant, monthBefore, eightAhead];
    for (const r of waiting) assert.equal(r.partition, 'responses_default');

    // Created from a session far from UTC: the new months must still be UTC months.
    const client = await t.pool.connect();
    let rows: { name: string }[];
    try {
      await client.query(`SET TIME ZONE 'Pacific/Kiritimati'`);
      ({ rows } = await client.query<{ name: string }>('SELECT create_response_partitions(6) AS name'));
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
    const months = (await Promise.all([4, 5, 6].map(monthName))).map((name) =>
      name.slice('responses_'.length),
    );
    assert.deepEqual(
      rows.map((r) => r.name).sort(),
      ['brand_mentions', 'citations', 'discovered_competitors', 'responses']
        .flatMap((table) => months.map((month) => `${table}_${month}`))
        .sort(),
      'each monthly table gets the month',
    );

    assert.equal(await partitionOf(fiveAhead.id), await monthName(5));
    assert.equal(await partitionOf(lastInstant.id), await monthName(5));
    assert.equal(await partitionOf(firstInstant.id), await monthName(5));
    assert.equal(await partitionOf(monthBefore.id), await monthName(4));
    assert.equal(
      await partitionOf(eightAhead.id),
      'responses_default',
      'a row for a month still without partition moved',
    );
    assert.equal(await partitionOf(current.id), await monthName(0));
    const { rows: count } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM responses');
    assert.equal(count[0]?.n, 6);

    // The moved rows stay fully usable: found by the partitioned indexes' columns, and new ids keep coming.
    const { rows: bySource } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM responses WHERE ai_source = 'chatgpt' AND captured_at >= ${monthStart(5)}`,
    );
    assert.equal(bySource[0]?.n, 4);
    const next = await insertResponse(`${monthStart(5)} + interval '1 day'`);
    assert.equal(next.partition, await monthName(5));
    assert.ok(BigInt(next.id) > BigInt(fiveAhead.id));
    const { rows: empty } = await t.pool.query('SELECT create_response_partitions(6) AS name');
    assert.deepEqual(empty, []);
  });
});
