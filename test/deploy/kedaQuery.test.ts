// The query each KEDA ScaledObject asks, read out of its manifest and run as avt_reader (the role KEDA's
// TriggerAuthentication connects as) against a migrated database: one row with one number, what KEDA's
// PostgreSQL scaler reads, and that number is exactly the source's eligible runs: queued and due, not
// running, finished or scheduled for later, and not another source's; none while the source is paused or
// disabled, since no worker could claim them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';
import { loadManifests, ofKind } from './k8sManifests.ts';

/** PostgreSQL's numeric types (int2, int4, int8, float4, float8, numeric): KEDA scans the value as a float. */
const NUMERIC_TYPES = [pg.types.builtins.INT2, pg.types.builtins.INT4, pg.types.builtins.INT8].concat([
  pg.types.builtins.FLOAT4,
  pg.types.builtins.FLOAT8,
  pg.types.builtins.NUMERIC,
]);

let t: TestDatabase;
const queries = new Map(
  ofKind<IScaledObject>(loadManifests(), 'ScaledObject').map((scaler) => [
    scaler.spec.scaleTargetRef.name.replace(/^worker-/, ''),
    String(scaler.spec.triggers[0]?.metadata.query),
  ]),
);

/** Runs a source's scaler query as avt_reader; returns its fields and rows. */
async function scalerQuery(source: string): Promise<pg.QueryResult> {
  const query = queries.get(source);
  assert.ok(query, `no ScaledObject for ${source}`);
  const client = await t.pool.connect();
  try {
    await client.query('SET ROLE avt_reader');
    return await client.query({ text: query, rowMode: 'array' });
  } finally {
    await client.query('RESET ROLE');
    client.release();
  }
}

async function eligible(source: string): Promise<number> {
  const result = await scalerQuery(source);
  assert.equal(result.rows.length, 1, `${source}: one row`);
  assert.equal(result.fields.length, 1, `${source}: one column`);
  assert.ok(NUMERIC_TYPES.includes(result.fields[0]?.dataTypeID ?? 0), `${source}: a number`);
  return Number(result.rows[0][0]);
}

/** Ends the source's first queued runs (in id order) with the given statuses. */
async function setStatuses(source: string, statuses: string[]): Promise<void> {
  await t.pool.query(
    `WITH runs AS (
       SELECT id, row_number() OVER (ORDER BY id) AS n FROM prompt_runs WHERE ai_source = $1 AND status = 'queued'
     )
     UPDATE prompt_runs r SET status = s.status, finished_at = now()
     FROM runs JOIN unnest($2::text[]) WITH ORDINALITY AS s (status, n) USING (n)
     WHERE r.id = runs.id`,
    [source, statuses],
  );
}

describe("KEDA's query on queue_health", () => {
  before(async () => {
    t = await createTestDatabase();
    await onlySources(t.pool, 'chatgpt', 'gemini', 'perplexity');
    await addPrompts(t.pool, ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
    // chatgpt: 2 running (claimed), done, dead, cancelled, one due later, and 2 eligible.
    assert.ok(await claim(t.pool, { source: 'chatgpt' }));
    assert.ok(await claim(t.pool, { source: 'chatgpt' }));
    await setStatuses('chatgpt', ['done', 'dead', 'cancelled']);
    // gemini: 3 done, one due in an hour, 4 eligible. perplexity: all done.
    await setStatuses('gemini', ['done', 'done', 'done']);
    await setStatuses('perplexity', ['done', 'done', 'done', 'done', 'done', 'done', 'done', 'done']);
    await t.pool.query(
      `UPDATE prompt_runs SET run_after = now() + interval '1 hour'
       WHERE id IN (SELECT max(id) FROM prompt_runs WHERE ai_source IN ('chatgpt', 'gemini') GROUP BY ai_source)`,
    );
  });
  after(() => t.drop());

  test('a ScaledObject for each source with workers', () => {
    assert.deepEqual([...queries.keys()].sort(), ['chatgpt', 'gemini', 'perplexity']);
  });

  test("one row with one number: the source's queued runs that are due, and nothing else", async () => {
    assert.equal(await eligible('chatgpt'), 2);
    assert.equal(await eligible('gemini'), 4);
    assert.equal(await eligible('perplexity'), 0);
  });

  test('none while the source is paused or disabled, and its runs again once resumed', async () => {
    await t.pool.query(`SELECT pause_source('gemini', now() + interval '1 hour', 'test')`);
    assert.equal(await eligible('gemini'), 0);
    await t.pool.query(`SELECT resume_source('gemini')`);
    assert.equal(await eligible('gemini'), 4);
    await t.pool.query(`UPDATE ai_sources SET enabled = false WHERE name = 'gemini'`);
    assert.equal(await eligible('gemini'), 0);
    await t.pool.query(`UPDATE ai_sources SET enabled = true WHERE name = 'gemini'`);
    assert.equal(await eligible('gemini'), 4);
  });

  test('is the number of runs the workers then claim', async () => {
    const counted = await eligible('gemini');
    let claimed = 0;
    while (await claim(t.pool, { source: 'gemini' })) claimed += 1;
    assert.equal(claimed, counted);
    assert.equal(await eligible('gemini'), 0);
  });
});
