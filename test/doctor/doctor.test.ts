// `avt doctor` against real deployments: a live worker, a source with work and no worker, a paused one, an
// LLM endpoint up and one down, a worker's /readyz; a connection budget past max_connections; a database never
// migrated or out of reach; and a server of its own with autovacuum on and pg_stat_statements loaded.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import type { Finding } from '../../src/doctor/finding.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { freePort } from '../helpers/freePort.ts';
import { OwnPostgres } from '../helpers/ownPostgres.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

interface Report {
  needs_action: boolean;
  findings: Finding[];
}

async function doctor(
  databaseUrl: string,
  args: string[] = [],
): Promise<{ code: number | null; report: Report }> {
  const result = await runBin('avt', ['doctor', '--json', '--no-chromium', ...args], {
    DATABASE_URL: databaseUrl,
    LLM_BASE_URL: undefined,
  });
  assert.ok(result.stdout.trim().startsWith('{'), `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const about = (report: Report, check: string, text = '') =>
  report.findings.filter((finding) => finding.check === check && finding.message.includes(text));

describe('avt doctor', () => {
  let t: TestDatabase;
  let llm: Server;
  let llmUrl: string;
  before(async () => {
    t = await createTestDatabase();
    // An OpenAI-compatible endpoint that lists its models.
    llm = createServer((request, response) => {
      response.writeHead(request.url === '/v1/models' ? 200 : 404, { 'content-type': 'application/json' });
      response.end('{"data":[]}');
    });
    await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
    llmUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`;
  });
  after(async () => {
    await new Promise((resolve) => llm.close(resolve));
    await t.drop();
  });

  test('a deployment as it runs: each finding names its source, endpoint and budget; exit 1 on action', async () => {
    await t.pool.query(
      `UPDATE ai_sources SET enabled = (name IN ('chatgpt', 'gemini', 'perplexity')), max_concurrency = NULL`,
    );
    await t.pool.query(
      `UPDATE ai_sources SET paused_until = now() + interval '1 hour', pause_reason = 'captcha wall'
       WHERE name = 'perplexity'`,
    );
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('Which CRM for a team of five?')`);
    const metricsPort = await freePort();
    const worker = spawnWorker(
      [
        '--ai-source',
        'chatgpt',
        '--worker-id',
        '1',
        '--no-maintenance',
        '--metrics-port',
        String(metricsPort),
      ],
      { DATABASE_URL: t.url, DB_POOL_MAX: '4' },
    );
    try {
      await worker.waitForLog((line) => line.event === 'worker:started', 30_000);
      await waitFor(
        async () =>
          (await t.pool.query(`SELECT 1 FROM prompt_runs WHERE ai_source = 'chatgpt' AND status = 'done'`))
            .rowCount === 1,
        30_000,
        "chatgpt's run done",
      );
      const deadPort = await freePort();
      const { code, report } = await doctor(t.url, [
        '--llm-base-url',
        llmUrl,
        '--url',
        `http://127.0.0.1:${metricsPort}`,
        '--url',
        `http://127.0.0.1:${deadPort}`,
      ]);
      assert.equal(code, 1);
      assert.equal(report.needs_action, true);
      assert.equal(about(report, 'schema')[0]?.status, 'ok');
      const budget = about(report, 'connections')[0];
      assert.match(
        budget?.message ?? '',
        /1 live worker\(s\) may open 5 /,
        'DB_POOL_MAX 4 and its LISTEN session',
      );
      assert.equal(about(report, 'sources', 'chatgpt')[0]?.status, 'ok');
      const gemini = about(report, 'sources', 'gemini')[0];
      assert.deepEqual([gemini?.status, gemini?.fix?.includes('--ai-source gemini')], ['warn', true]);
      const perplexity = about(report, 'sources', 'perplexity')[0];
      assert.equal(perplexity?.status, 'warn');
      assert.match(perplexity?.message ?? '', /paused until .*captcha wall/);
      assert.match(perplexity?.fix ?? '', /avt resume perplexity/);
      assert.equal(about(report, 'llm')[0]?.status, 'ok');
      assert.equal(about(report, 'endpoint', String(metricsPort))[0]?.status, 'ok');
      assert.equal(about(report, 'endpoint', String(deadPort))[0]?.status, 'fail');

      const down = await doctor(t.url, ['--llm-base-url', `http://127.0.0.1:${deadPort}/v1`]);
      assert.equal(about(down.report, 'llm')[0]?.status, 'warn');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  test('a source paused until resumed (as a captcha pauses it) is a warning, not a broken check', async () => {
    await t.pool.query(
      `UPDATE ai_sources SET paused_until = 'infinity', pause_reason = 'captcha' WHERE name = 'gemini'`,
    );
    try {
      const { report } = await doctor(t.url);
      const gemini = about(report, 'sources', 'gemini')[0];
      assert.equal(gemini?.status, 'warn');
      assert.match(gemini?.message ?? '', /paused until resumed \(captcha\)/);
    } finally {
      await t.pool.query(
        `UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL WHERE name = 'gemini'`,
      );
    }
  });

  test('live workers that may open more connections than the server has: fail, with what to do', async () => {
    await t.pool.query(
      `INSERT INTO workers (worker_id, ai_source, locked_by, host, pid, version, concurrency, db_connections)
       SELECT i, 'claude', i || '@far:1:ffffff', 'far', i, '0.1.0', 3, 40 FROM generate_series(1, 5) AS i`,
    );
    try {
      const { code, report } = await doctor(t.url);
      assert.equal(code, 1);
      const budget = about(report, 'connections')[0];
      assert.equal(budget?.status, 'fail');
      assert.match(budget?.message ?? '', /5 live worker\(s\) may open 200 /);
      assert.match(budget?.fix ?? '', /max_connections.*DB_POOL_MAX.*PgBouncer/);
    } finally {
      await t.pool.query(`DELETE FROM workers WHERE host = 'far'`);
    }
  });

  test('a database never migrated, and one out of reach: said in one line each, the other checks still run', async () => {
    const empty = await createTestDatabase({ migrated: false });
    try {
      const { code, report } = await doctor(empty.url, ['--llm-base-url', llmUrl]);
      assert.equal(code, 1);
      assert.deepEqual(
        report.findings.map((finding) => `${finding.check} ${finding.status}`),
        ['schema fail', 'statements info', 'llm ok'],
      );
      assert.match(report.findings[0]?.fix ?? '', /avt migrate/);
    } finally {
      await empty.drop();
    }
    const url = new URL(t.url);
    url.port = String(await freePort());
    const { code, report } = await doctor(url.toString(), ['--llm-base-url', llmUrl]);
    assert.equal(code, 1);
    assert.deepEqual(
      report.findings.map((finding) => `${finding.check} ${finding.status}`),
      ['database fail', 'llm ok'],
    );
  });

  test('a server with autovacuum and pg_stat_statements: queue tables vacuumed, slowest statements listed', async () => {
    const server = await OwnPostgres.start(30, { shared_preload_libraries: 'pg_stat_statements' });
    try {
      const pool = new pg.Pool({ connectionString: server.url, max: 2 });
      await migrate(pool);
      await pool.query('CREATE EXTENSION pg_stat_statements');
      for (let i = 0; i < 6; i++) await pool.query('SELECT pg_sleep(0.05), count(*) FROM prompt_runs');
      let { report } = await doctor(server.url);
      assert.deepEqual(
        about(report, 'autovacuum').map((finding) => finding.status),
        ['ok', 'ok'],
        JSON.stringify(about(report, 'autovacuum')),
      );
      const slowest = about(report, 'statements');
      assert.ok(
        slowest.some(
          (finding) => /pg_sleep/.test(finding.message) && /ms mean over 6 calls/.test(finding.message),
        ),
        JSON.stringify(slowest),
      );
      await pool.query('ALTER TABLE run_attempts SET (autovacuum_enabled = false)');
      ({ report } = await doctor(server.url));
      const off = about(report, 'autovacuum', 'run_attempts')[0];
      assert.deepEqual(
        [off?.status, off?.fix],
        ['fail', 'ALTER TABLE run_attempts RESET (autovacuum_enabled)'],
      );
      await pool.end();
    } finally {
      await server.destroy();
    }
  });
});
