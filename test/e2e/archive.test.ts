// avt archive: old months written to compressed files, dropped only once the files are on disk, and put
// back by psql with every row and id, counted once in the figures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { assertFiguresExact } from '../helpers/figures.ts';

const TABLES = ['responses', 'brand_mentions', 'citations', 'discovered_competitors'];

function hasPsql(): boolean {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('avt archive', () => {
  let t: TestDatabase;
  let out: string;
  /** First days of the months three and two months ago, and of this month (UTC). */
  let months: [string, string, string];

  async function everything() {
    const tables: Record<string, unknown[]> = {};
    for (const table of TABLES)
      tables[table] = (await t.pool.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    return tables;
  }
  const visibility = async () =>
    (await t.pool.query(`SELECT * FROM brand_visibility ORDER BY day, ai_source, capture_mode, brand_id`))
      .rows;

  before(async () => {
    t = await createTestDatabase();
    out = await mkdtemp(join(tmpdir(), 'avt-archive-'));
    const { rows } = await t.pool.query<{ day: string }>(
      `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => o), 'YYYY-MM-DD') AS day
       FROM unnest(ARRAY[-3, -2, 0]) AS o ORDER BY o`,
    );
    months = rows.map((row) => row.day) as [string, string, string];
    await t.pool.query(`INSERT INTO brands (name) VALUES ('Acme'), ('Globex')`);
    await t.pool.query(`SELECT create_month_partitions($1)`, [months[1]]);
    // Three months ago has no partition (its answers wait in the default ones); two months ago has one.
    await t.pool.query(
      `INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
       SELECT i, gen_random_uuid(), CASE WHEN i % 2 = 0 THEN 'chatgpt' ELSE 'gemini' END,
              'answer ' || i || E' with "quotes", a comma\\nand a new line',
              (m::date + (i % 20) * interval '1 day' + interval '3 hours') AT TIME ZONE 'UTC'
       FROM unnest($1::date[]) AS m, generate_series(1, 40) AS i`,
      [months],
    );
    await t.pool.query(
      `INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, sentiment)
       SELECT r.id, b.id, b.name, b.id - (SELECT min(id) FROM brands) + 1, 'positive'
       FROM responses r JOIN brands b ON (r.id + b.id) % 3 <> 0`,
    );
    await t.pool.query(
      `INSERT INTO citations (response_id, position, url, domain)
       SELECT r.id, 1, 'https://g2.com/' || r.id, 'g2.com' FROM responses r WHERE r.id % 2 = 0`,
    );
    await t.pool.query(
      `INSERT INTO discovered_competitors (response_id, name) SELECT id, 'Newco' FROM responses`,
    );
  });
  after(async () => {
    await t.drop();
    await rm(out, { recursive: true, force: true });
  });

  test('a bad --before says what it wants', async () => {
    const run = await runBin('avt', ['archive', '--before', '2026-13', '--out', out], {
      DATABASE_URL: t.url,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--before must be a month as YYYY-MM \(e\.g\. 2026-01\), got '2026-13'/);
  });

  test('--drop writes the old months, then drops them whole; the figures keep them; psql puts them back', async (ctx) => {
    const rowsBefore = await everything();
    const figuresBefore = await visibility();
    const before = months[2].slice(0, 7);
    const run = await runBin('avt', ['archive', '--before', before, '--out', out, '--drop'], {
      DATABASE_URL: t.url,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /dropped \d+ partitions/);
    const archived = months.slice(0, 2).map((day) => day.slice(0, 7));
    assert.deepEqual((await readdir(out)).sort(), archived);

    for (const month of archived) {
      const manifest = JSON.parse(await readFile(join(out, month, 'manifest.json'), 'utf8'));
      assert.equal(manifest.tables.responses.rows, 40, `${month}: 40 answers`);
      for (const table of TABLES) {
        const gz = await readFile(join(out, month, `${table}.csv.gz`));
        assert.equal(createHash('sha256').update(gz).digest('hex'), manifest.tables[table].sha256, table);
        const lines = gunzipSync(gz).toString('utf8').split('\n');
        assert.equal(lines[0], manifest.tables[table].columns.join(','), `${table}: header`);
        const expected = (rowsBefore[table] as { captured_at: Date }[]).filter(
          (row) => row.captured_at.toISOString().slice(0, 7) === month,
        ).length;
        assert.ok(expected > 0);
        assert.equal(manifest.tables[table].rows, expected, `${month}: every ${table} row`);
      }
    }

    const { rows: left } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM responses WHERE captured_at < $1::timestamp AT TIME ZONE 'UTC'`,
      [months[2]],
    );
    assert.equal(left[0]?.n, 0, 'the archived months are gone');
    assert.equal((await everything()).responses?.length, 40, "this month's answers stay");
    assert.deepEqual(await visibility(), figuresBefore, 'the figures keep the dropped months');

    if (!hasPsql()) {
      ctx.skip('psql is not installed: the reload is not tried');
      return;
    }
    for (const month of archived) {
      execFileSync('psql', [t.url, '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-q', '-f', 'load.sql'], {
        cwd: join(out, month),
        stdio: 'pipe',
      });
    }
    assert.deepEqual(await everything(), rowsBefore, 'every row back, with its id');
    assert.deepEqual(await visibility(), figuresBefore, 'counted once');
    await assertFiguresExact(t.pool, 'after the reload');
  });

  test('an archive already there is never overwritten', async () => {
    const run = await runBin('avt', ['archive', '--before', months[2].slice(0, 7), '--out', out], {
      DATABASE_URL: t.url,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /exists already: an archive is never overwritten/);
  });
});
