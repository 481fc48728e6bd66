// Least privilege (sql/900_roles.sql): avt_worker runs a real worker process, avt_api runs `avt serve` with
// every read and action, avt_reader reads the views; each is refused (SQLSTATE 42501) what it must not do,
// and holds no right beyond the documented ones. Each connects through a LOGIN role of this file's own
// (test/helpers/logins.ts).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runMigrations } from 'graphile-worker';
import { migrate, NotMigratedError } from '../../src/db/migrate.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import { markSqlOlder, type TestDatabase, waitFor } from '../helpers/db.ts';
import { commitAnswer, createLogin, dropLogins, type Login, type Role, refused } from '../helpers/logins.ts';
import { addPrompts, createTrackingDatabase } from '../helpers/queue.ts';
import { startTestServer } from '../helpers/serve.ts';
import { spawnBin } from '../helpers/workerProcess.ts';
import { deadRun } from '../operations/fixtures.ts';

/** The analysts' views (docs/numbers.md, docs/queue.md): everything avt_reader reads. */
const READER_VIEWS = [
  'brand_citations',
  'brand_citations_recomputed',
  'brand_visibility',
  'brand_visibility_recomputed',
  'citation_domains',
  'citation_domains_recomputed',
  'queue_health',
];

describe('least-privilege roles', () => {
  let t: TestDatabase;
  let logins: Record<Role, Login>;
  before(async () => {
    t = await createTrackingDatabase();
    // What `avt migrate` installs beside our schema: workers started with --no-migrate find it.
    await runMigrations({ pgPool: t.pool });
    logins = {
      avt_worker: await createLogin(t, 'avt_worker'),
      avt_api: await createLogin(t, 'avt_api'),
      avt_reader: await createLogin(t, 'avt_reader'),
    };
    await t.pool.query(`INSERT INTO categories (name) VALUES ('CRM')`);
    await commitAnswer(t);
  });
  after(async () => {
    await dropLogins(t, Object.values(logins));
    await t.drop();
  });

  test('each SECURITY DEFINER function is closed to PUBLIC, callable by the one role that needs it, and has its search_path pinned', async () => {
    const { rows } = await t.pool.query(`
      SELECT p.proname AS name,
             (SELECT c FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS search_path,
             p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public,
             ARRAY(SELECT r FROM unnest(ARRAY['avt_worker', 'avt_api', 'avt_reader']) r
                   WHERE has_function_privilege(r, p.oid, 'EXECUTE')) AS callers
      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1`);
    const definer = (name: string, role: Role) => ({
      name,
      search_path: 'search_path=public, pg_temp',
      public: false,
      callers: [role],
    });
    assert.deepEqual(rows, [
      definer('claim_next_prompts', 'avt_worker'),
      definer('commit_prompt_run_results', 'avt_worker'),
      definer('complete_prompt_run', 'avt_worker'),
      definer('enqueue_prompts', 'avt_api'),
      definer('fail_prompt_run', 'avt_worker'),
      definer('heartbeat_prompt_run', 'avt_worker'),
      definer('import_brands', 'avt_api'),
      definer('pause_source', 'avt_api'),
      definer('record_prompt_run_failures', 'avt_worker'),
      definer('release_prompt_run', 'avt_worker'),
      definer('reserve_llm_slot', 'avt_worker'),
      definer('resume_source', 'avt_api'),
      definer('retry_dead_runs', 'avt_api'),
    ]);
  });

  test('the tables, views, columns and sequences each role may touch are these and no others (monthly partitions: none)', async () => {
    const { rows } = await t.pool.query<{ role: Role; relation: string; rights: string }>(`
      WITH rights AS (
        SELECT r.role, c.relname AS relation, p.privilege, NULL::text AS column_name
        FROM unnest(ARRAY['avt_worker', 'avt_api', 'avt_reader']) r (role)
        CROSS JOIN pg_class c
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p (privilege)
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_table_privilege(r.role, c.oid, p.privilege)
        UNION ALL
        SELECT r.role, c.relname, p.privilege, a.attname
        FROM unnest(ARRAY['avt_worker', 'avt_api', 'avt_reader']) r (role)
        CROSS JOIN pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p (privilege)
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_column_privilege(r.role, c.oid, a.attnum, p.privilege)
          AND NOT has_table_privilege(r.role, c.oid, p.privilege)
        UNION ALL
        SELECT r.role, c.relname, p.privilege, NULL
        FROM unnest(ARRAY['avt_worker', 'avt_api', 'avt_reader']) r (role)
        CROSS JOIN pg_class c
        CROSS JOIN unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p (privilege)
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
          AND has_sequence_privilege(r.role, c.oid, p.privilege)
      )
      SELECT role, relation,
             string_agg(privilege || coalesce('(' || column_name || ')', ''), ' ' ORDER BY privilege, column_name) AS rights
      FROM rights GROUP BY role, relation ORDER BY role, relation`);
    const grants = (role: Role) =>
      Object.fromEntries(rows.filter((row) => row.role === role).map((row) => [row.relation, row.rights]));
    const select = (...relations: string[]) => Object.fromEntries(relations.map((r) => [r, 'SELECT']));
    assert.deepEqual(grants('avt_worker'), {
      ...select('ai_sources', 'brands', 'prompts'),
      workers:
        'INSERT(ai_source) INSERT(concurrency) INSERT(db_connections) INSERT(host) INSERT(locked_by) INSERT(pid) INSERT(version) ' +
        'INSERT(worker_id) SELECT(id) SELECT(locked_by) UPDATE(last_seen_at) UPDATE(stopped_at)',
    });
    assert.deepEqual(
      grants('avt_api'),
      select(
        'ai_sources',
        'avt_migrations',
        'avt_sql_state',
        'brand_citations',
        'brand_mentions',
        'brand_visibility',
        'brands',
        'categories',
        'citation_domains',
        'citations',
        'daily_answers',
        'daily_brand_citations',
        'daily_brand_mentions',
        'daily_cited_domains',
        'discovered_competitors',
        'prompt_runs',
        'prompts',
        'queue_health',
        'responses',
        'results_edits',
        'run_attempts',
        'workers',
      ),
    );
    assert.deepEqual(grants('avt_reader'), select(...READER_VIEWS));
    const { rows: schemas } = await t.pool.query(`
      SELECT r AS role, has_schema_privilege(r, 'public', 'CREATE') AS create_public,
             has_schema_privilege(r, 'graphile_worker', 'USAGE') AS graphile_worker
      FROM unnest(ARRAY['avt_worker', 'avt_api', 'avt_reader']) r ORDER BY 1`);
    assert.deepEqual(
      schemas,
      ['avt_api', 'avt_reader', 'avt_worker'].map((role) => ({
        role,
        create_public: false,
        graphile_worker: false,
      })),
    );
  });

  test('avt_worker is refused the answers, writes outside the queue functions, the operators’ actions, graphile-worker’s tables and DDL', async () => {
    await refused(logins.avt_worker.pool, [
      'SELECT answer_text FROM responses',
      'DELETE FROM responses',
      'DELETE FROM brand_mentions',
      'TRUNCATE citations',
      `UPDATE prompt_runs SET status = 'done'`,
      `INSERT INTO prompts (text) VALUES ('not mine to add')`,
      'UPDATE ai_sources SET paused_until = NULL',
      `UPDATE workers SET locked_by = 'someone else'`,
      'DELETE FROM workers',
      'SELECT * FROM llm_rate_limits',
      'SELECT retry_dead_runs()',
      `SELECT * FROM schedule_round('by hand')`,
      'SELECT * FROM graphile_worker._private_jobs',
      'CREATE TABLE avt_worker_was_here (id integer)',
    ]);
  });

  test('avt_api is refused writes but through its actions, the queue functions, what the API never reads, partitions by name and DDL', async () => {
    await refused(logins.avt_api.pool, [
      `UPDATE prompt_runs SET status = 'queued'`,
      'DELETE FROM brands',
      `INSERT INTO brands (name) VALUES ('not through import')`,
      'DELETE FROM responses',
      'TRUNCATE workers',
      `SELECT * FROM claim_next_prompt(1, 'chatgpt')`,
      `SELECT reserve_llm_slot('llm', 60)`,
      'SELECT * FROM llm_rate_limits',
      'SELECT * FROM reextractions',
      'SELECT * FROM responses_default',
      'SELECT * FROM graphile_worker._private_jobs',
      `SELECT create_month_partitions('2031-01-01')`,
      'CREATE TABLE avt_api_was_here (id integer)',
    ]);
  });

  test('avt_reader is refused everything but the views: tables, the API functions, actions, internal views', async () => {
    await refused(logins.avt_reader.pool, [
      'SELECT * FROM responses',
      'SELECT * FROM prompts',
      'SELECT * FROM brands',
      'SELECT * FROM workers',
      'SELECT * FROM daily_answers',
      'SELECT * FROM avt_citation_groups',
      `SELECT * FROM avt_api_brand_figures(current_date - 7, current_date, 'day')`,
      'SELECT results_version()',
      'SELECT retry_dead_runs()',
      `INSERT INTO prompts (text) VALUES ('not mine to add')`,
      'CREATE TABLE avt_reader_was_here (id integer)',
    ]);
  });

  test('avt_reader reads every analyst view as the owner does', async () => {
    for (const view of READER_VIEWS) {
      const read = `SELECT * FROM ${view} ORDER BY 1, 2, 3, 4`;
      const { rows: owner } = await t.pool.query(read);
      assert.ok(owner.length > 0, `${view} has rows to compare`);
      assert.deepEqual((await logins.avt_reader.pool.query(read)).rows, owner, view);
    }
  });

  test('a month partition made after the grants is read through its parent by avt_api and avt_reader, never by name', async () => {
    await t.pool.query(`SELECT create_month_partitions('2031-05-01')`);
    await commitAnswer(t, new Date('2031-05-10T12:00:00Z'));
    const { rows } = await logins.avt_api.pool.query(
      `SELECT tableoid::regclass::text AS partition FROM responses WHERE captured_at >= '2031-05-01'`,
    );
    assert.deepEqual(rows, [{ partition: 'responses_2031_05' }]);
    const { rows: figures } = await logins.avt_reader.pool.query(
      `SELECT sum(answers)::int AS answers, sum(mentioned)::int AS mentioned FROM brand_visibility
       WHERE day = '2031-05-10' AND brand = 'HubSpot'`,
    );
    assert.deepEqual(figures, [{ answers: 1, mentioned: 1 }]);
    await refused(logins.avt_api.pool, [
      'SELECT * FROM responses_2031_05',
      'SELECT * FROM brand_mentions_2031_05',
    ]);
  });

  test('migrate() as a role that may not migrate changes nothing on a current database, and names the fix on an older one', async () => {
    const result = await migrate(logins.avt_api.pool);
    assert.deepEqual(
      { applied: result.applied, sqlApplied: result.sqlApplied, created: result.partitionsCreated },
      { applied: [], sqlApplied: false, created: [] },
    );
    await assert.rejects(
      migrate(logins.avt_worker.pool),
      (error: Error) =>
        error instanceof NotMigratedError &&
        /cannot read the schema revision .* avt_worker_\S+ may not migrate it .* runs with --no-migrate/.test(
          error.message,
        ),
    );
    await markSqlOlder(t.pool);
    try {
      await assert.rejects(
        migrate(logins.avt_api.pool),
        /^NotMigratedError: this build needs schema revision \d+; the database holds revision 0, and avt_api_\S+ may not migrate it \(no CREATE on schema public\): run `avt migrate` as the owner first$/,
      );
    } finally {
      assert.equal((await migrate(t.pool)).sqlApplied, true);
    }
  });

  test('a real worker process as avt_worker claims, commits with the LLM, heartbeats, fails, goes dead with its alert and releases on SIGTERM', {
    timeout: 300_000,
  }, async () => {
    const mock: MockPlatform = await startMockPlatform({ port: 0, latencyMs: 100 });
    try {
      await t.pool.query(
        `UPDATE ai_sources SET max_attempts = 2, backoff_base_seconds = 0, backoff_cap_seconds = 0
         WHERE name = 'chatgpt'`,
      );
      const prompts = await addPrompts(t.pool, [
        'Which CRM suits a bakery?',
        'Which CRM suits a law firm?',
        '[[fault:500]] Which CRM suits a florist?',
      ]);
      const worker = (...args: string[]) =>
        spawnBin(
          'worker',
          [
            ...['--ai-source', 'chatgpt', '--worker-id', '7', '--no-migrate', '--no-maintenance'],
            ...['--browser', 'shared', '--concurrency', '2', '--stable-ms', '300'],
            ...['--base-url', `${mock.url}/chatgpt/`],
            ...args,
          ],
          {
            DATABASE_URL: logins.avt_worker.url,
            LLM_BASE_URL: mock.llmBaseUrl,
            LLM_RATE_PER_MIN: '600',
          },
        );
      const once = worker('--once');
      assert.equal(await once.exited, 0, once.stderr());

      const { rows: runs } = await t.pool.query(
        `SELECT r.status, count(s.id)::int AS answers, bool_and(s.extraction_method = 'llm') AS by_llm,
                array_agg(a.outcome ORDER BY a.attempt) FILTER (WHERE a.outcome <> 'done') AS failed
         FROM prompt_runs r
         LEFT JOIN responses s ON s.run_id = r.id
         JOIN run_attempts a ON a.run_id = r.id
         WHERE r.prompt_id = ANY ($1::uuid[])
         GROUP BY r.id, r.status ORDER BY r.id`,
        [prompts],
      );
      const done = { status: 'done', answers: 1, by_llm: true, failed: null };
      assert.deepEqual(runs, [
        done,
        done,
        { status: 'dead', answers: 0, by_llm: null, failed: ['retry', 'dead'] },
      ]);
      const { rows: side } = await t.pool.query(`
        SELECT (SELECT count(*)::int FROM graphile_worker._private_jobs j
                JOIN graphile_worker._private_tasks k ON k.id = j.task_id
                WHERE k.identifier = 'send_alert' AND j.payload ->> 'event' = 'run_dead') AS dead_alerts,
               (SELECT count(*)::int FROM llm_rate_limits) AS llm_slots,
               (SELECT count(*)::int FROM workers WHERE worker_id = 7 AND stopped_at IS NOT NULL) AS stopped`);
      assert.deepEqual(side, [{ dead_alerts: 1, llm_slots: 1, stopped: 1 }]);

      const [hung] = await addPrompts(t.pool, ['[[fault:hang]] Which CRM suits a zoo?']);
      const lasting = worker('--lease-seconds', '3', '--shutdown-grace-seconds', '0');
      try {
        const first = Number(
          await waitFor(
            async () => {
              const { rows } = await t.pool.query<{ until: Date }>(
                `SELECT locked_until AS until FROM prompt_runs WHERE prompt_id = $1 AND status = 'running'`,
                [hung],
              );
              return rows[0]?.until;
            },
            60_000,
            'the hanging run to be claimed',
          ),
        );
        await waitFor(
          async () => {
            const { rows } = await t.pool.query<{ until: Date }>(
              'SELECT locked_until AS until FROM prompt_runs WHERE prompt_id = $1',
              [hung],
            );
            return (rows[0]?.until?.getTime() ?? 0) > first;
          },
          10_000,
          'a heartbeat to extend the lease',
        );
      } finally {
        lasting.child.kill('SIGTERM');
      }
      assert.equal(await lasting.exited, 0, lasting.stderr());
      const { rows: released } = await t.pool.query(
        `SELECT r.status, r.attempts, array_agg(a.outcome) AS outcomes
         FROM prompt_runs r JOIN run_attempts a ON a.run_id = r.id WHERE r.prompt_id = $1 GROUP BY r.id`,
        [hung],
      );
      assert.deepEqual(released, [{ status: 'queued', attempts: 0, outcomes: ['released'] }]);
    } finally {
      await mock.close();
    }
  });

  test('avt serve as avt_api reads every figure, page and queue view, and performs each action', {
    timeout: 120_000,
  }, async () => {
    const artifacts = await mkdtemp(join(tmpdir(), 'avt-roles-'));
    const server = await startTestServer({ ...t, url: logins.avt_api.url });
    try {
      const get = async (path: string) => {
        const response = await fetch(`${server.url}${path}`);
        assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
        return response;
      };
      for (const path of ['/', '/citations', '/answers', '/operations', '/metrics', '/api/workers']) {
        await get(path);
      }
      const figures = (await (await get('/api/figures/brands?brand=HubSpot')).json()) as {
        rows: { mentioned: number }[];
      };
      assert.ok(
        figures.rows.some((row) => row.mentioned > 0),
        JSON.stringify(figures),
      );
      for (const path of [
        '/api/figures/citations/domains',
        '/api/figures/citations/brands',
        '/api/figures/competitors',
        '/api/answers',
        '/api/brands',
        '/api/categories',
        '/api/sources',
        '/api/queue',
      ]) {
        const { rows } = (await (await get(path)).json()) as { rows: unknown[] };
        assert.ok(rows.length > 0, `${path} has rows`);
      }

      const attempt = join(artifacts, 'attempt');
      await mkdir(attempt);
      await writeFile(join(attempt, 'page.html'), '<p>dead</p>');
      const dead = await deadRun(t.pool, { artifactsPath: attempt });
      const list = (await (await get('/api/runs/dead')).json()) as { rows: { id: number }[] };
      assert.ok(list.rows.some((row) => row.id === dead));
      assert.equal(await (await get(`/api/runs/${dead}/artifacts/1/page.html`)).text(), '<p>dead</p>');

      const post = async (path: string, body?: unknown) => {
        const response = await fetch(`${server.url}${path}`, {
          method: 'POST',
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
        assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
        return response.json();
      };
      assert.deepEqual(await post('/api/runs/dead/retry', { run_ids: [dead] }), { retried: 1 });
      await post('/api/sources/chatgpt/pause', { reason: 'by avt_api' });
      const paused = await t.pool.query(`SELECT pause_reason FROM ai_sources WHERE name = 'chatgpt'`);
      assert.equal(paused.rows[0]?.pause_reason, 'by avt_api');
      await post('/api/sources/chatgpt/resume');
      assert.deepEqual((await post('/api/prompts', ['Added by avt_api'])) as object, {
        added: 1,
        errors: [],
      });
      assert.deepEqual(await post('/api/brands/import', [{ name: 'Initech', domains: ['initech.com'] }]), {
        upserted: 1,
        errors: [],
      });
      const { rows: effects } = await t.pool.query(`
        SELECT (SELECT status FROM prompt_runs WHERE id = ${dead}) AS retried,
               (SELECT paused_until FROM ai_sources WHERE name = 'chatgpt') AS paused_until,
               (SELECT count(*)::int FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id
                WHERE p.text = 'Added by avt_api') AS runs_added,
               (SELECT domains FROM brands WHERE name = 'Initech') AS imported`);
      assert.deepEqual(effects, [
        { retried: 'queued', paused_until: null, runs_added: 1, imported: ['initech.com'] },
      ]);
    } finally {
      await server.close();
      await rm(artifacts, { recursive: true, force: true });
    }
  });
});
