// Backups (docs/security.md): `pg_dump --format=custom` of a migrated database with results, restored with
// pg_restore into an empty database, reads the same figures, keeps the schema revision and the roles' grants,
// and its queue goes on: a worker process claims and commits there, its ids after the restored ones.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runMigrations } from 'graphile-worker';
import type pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, createTrackingDatabase } from '../helpers/queue.ts';
import { mockAnswerHandler, spawnBin } from '../helpers/workerProcess.ts';
import { deadRun } from '../operations/fixtures.ts';

const run = promisify(execFile);

/** The major version of a PostgreSQL client program (`pg_dump (PostgreSQL) 15.20 ...` → 15). */
async function clientMajor(program: string): Promise<number> {
  const { stdout } = await run(program, ['--version']);
  const match = /\(PostgreSQL\) (\d+)/.exec(stdout);
  assert.ok(match, `${program} --version said ${stdout}`);
  return Number(match[1]);
}

/** Drains the eligible chatgpt runs with a worker process (no browser: the mock's answers). */
async function drain(database: TestDatabase): Promise<void> {
  const worker = spawnBin(
    'worker',
    [
      ...['--handler', mockAnswerHandler, '--ai-source', 'chatgpt', '--worker-id', '1'],
      ...['--no-migrate', '--no-maintenance', '--once'],
    ],
    { DATABASE_URL: database.url },
  );
  assert.equal(await worker.exited, 0, worker.stderr());
}

/** What a user reads: the figures' views, the results version, the queue, and where the answers live. */
async function figures(pool: pg.Pool) {
  const read = async (text: string) => (await pool.query(text)).rows;
  return {
    version: await read('SELECT results_version() AS version'),
    visibility: await read(
      'SELECT * FROM brand_visibility ORDER BY day, ai_source, capture_mode, category, brand_id',
    ),
    domains: await read('SELECT * FROM citation_domains ORDER BY day, ai_source, capture_mode, domain'),
    brandCitations: await read(
      'SELECT * FROM brand_citations ORDER BY day, ai_source, capture_mode, brand_id',
    ),
    queue: await read(
      'SELECT ai_source, enabled, paused_until, eligible, delayed, running, done, dead FROM queue_health ORDER BY 1',
    ),
    partitions: await read(
      'SELECT tableoid::regclass::text AS partition, count(*)::int AS answers FROM responses GROUP BY 1 ORDER BY 1',
    ),
  };
}

/**
 * Who may do what: each privilege on every table, view, sequence and function of the schema (an access list
 * left at its default reads as that default).
 */
async function grants(pool: pg.Pool) {
  const { rows } = await pool.query(`
    SELECT o.name, string_agg(a.grantee::regrole::text || ':' || a.privilege_type, ' '
                              ORDER BY a.grantee::regrole::text, a.privilege_type) AS privileges
    FROM (SELECT c.relname::text AS name,
                 coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)) AS acl
          FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
          UNION ALL
          SELECT p.oid::regprocedure::text, coalesce(p.proacl, acldefault('f'::"char", p.proowner))
          FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace) o
    CROSS JOIN LATERAL aclexplode(o.acl) a
    GROUP BY o.name ORDER BY o.name`);
  return rows;
}

describe('a backup', () => {
  let source: TestDatabase;
  let restored: TestDatabase;
  let dir: string;
  before(async () => {
    source = await createTrackingDatabase();
    restored = await createTestDatabase({ migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'avt-backup-'));
  });
  after(async () => {
    await source.drop();
    await restored.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('pg_dump of a migrated database with results, restored into an empty one, reads the same figures and goes on working', {
    timeout: 180_000,
  }, async (context) => {
    const { rows: server } = await source.pool.query<{ major: number }>(
      `SELECT current_setting('server_version_num')::int / 10000 AS major`,
    );
    // The embedded server (no DATABASE_URL) may be newer than the machine's client programs, which cannot
    // dump it; CI runs this against the machine's PostgreSQL, whose client matches.
    for (const program of ['pg_dump', 'pg_restore']) {
      const major = await clientMajor(program);
      if (major < (server[0]?.major ?? 0)) {
        context.skip(
          `${program} ${major} cannot handle the PostgreSQL ${server[0]?.major} server: install its client`,
        );
        return;
      }
    }

    // What `avt migrate` installs: graphile-worker's schema is part of what a backup keeps.
    await runMigrations({ pgPool: source.pool, logger: undefined });
    await source.pool.query(`INSERT INTO categories (name) VALUES ('CRM')`);
    await addPrompts(
      source.pool,
      Array.from({ length: 8 }, (_, i) => `Which CRM suits a team of ${i + 2}?`),
    );
    await source.pool.query(`UPDATE prompts SET category_id = (SELECT id FROM categories)`);
    await drain(source);
    // Some figures folded by compaction, and three answers moved into last month's partitions.
    await source.pool.query('SELECT compact_daily_figures()');
    await source.pool.query(`SELECT create_month_partitions((now() - interval '1 month')::date)`);
    await source.pool.query(
      `UPDATE responses SET captured_at = captured_at - interval '1 month'
       WHERE id IN (SELECT id FROM responses ORDER BY id LIMIT 3)`,
    );
    await deadRun(source.pool);
    const before = await figures(source.pool);
    assert.equal(before.partitions.length, 2, 'answers in two months');
    assert.ok(before.visibility.some((row) => Number(row.mentioned) > 0));
    assert.ok(before.domains.length > 0);

    const dump = join(dir, 'avt.dump');
    await run('pg_dump', ['--format=custom', '--file', dump, '--dbname', source.url]);
    await run('pg_restore', ['--exit-on-error', '--dbname', restored.url, dump]);

    assert.deepEqual(await figures(restored.pool), before);
    assert.deepEqual(await grants(restored.pool), await grants(source.pool));
    const migrated = await migrate(restored.pool);
    assert.deepEqual(
      { applied: migrated.applied, sqlApplied: migrated.sqlApplied },
      { applied: [], sqlApplied: false },
      'the restored database holds this revision',
    );

    const { rows: highest } = await restored.pool.query<{ run: string; response: string; mention: string }>(
      `SELECT (SELECT max(id) FROM prompt_runs)::text AS run, (SELECT max(id) FROM responses)::text AS response,
              (SELECT max(id) FROM brand_mentions)::text AS mention`,
    );
    await addPrompts(restored.pool, ['Which CRM suits a restored team?', 'And a second one?']);
    await drain(restored);
    const { rows: added } = await restored.pool.query(
      `SELECT r.status, s.id > $2 AS later_response, (SELECT min(m.id) > $3 FROM brand_mentions m
                                                       WHERE m.response_id = s.id) AS later_mentions
       FROM prompt_runs r JOIN responses s ON s.run_id = r.id WHERE r.id > $1 ORDER BY r.id`,
      [highest[0]?.run, highest[0]?.response, highest[0]?.mention],
    );
    const fresh = { status: 'done', later_response: true, later_mentions: true };
    assert.deepEqual(added, [fresh, fresh]);
    const answers = async (pool: pg.Pool) =>
      (
        await pool.query<{ n: number }>(
          `SELECT sum(answers)::int AS n FROM brand_visibility WHERE brand = 'HubSpot'`,
        )
      ).rows[0]?.n;
    assert.equal(await answers(restored.pool), ((await answers(source.pool)) ?? 0) + 2);
  });
});
