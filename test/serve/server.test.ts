// avt serve's own guarantees: probes that tell the truth, system metrics exported once, closed to strangers
// (token, session cookie, Origin), JSON errors, secrets kept out of responses and logs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer } from '../helpers/serve.ts';

const TOKEN = 'tok-7f3a9c2e51d84b60a9e0c4d1';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

describe('probes and metrics', () => {
  test('/healthz answers; /readyz names each check and fails while a source has no live worker', async () => {
    const server = await startTestServer(t);
    try {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
      await t.pool.query(`UPDATE ai_sources SET enabled = (name = 'chatgpt')`);
      let response = await fetch(`${server.url}/readyz`);
      assert.equal(response.status, 503);
      let body = (await response.json()) as {
        status: string;
        checks: Record<string, { ok: boolean; detail: string }>;
      };
      assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'llm_api', 'read_database', 'workers']);
      assert.equal(body.checks.database?.ok, true);
      assert.equal(body.checks.workers?.ok, false);
      assert.match(body.checks.workers?.detail ?? '', /no live worker for chatgpt/);

      // A load balancer's readiness probe asks only about this replica's own databases.
      response = await fetch(`${server.url}/readyz?checks=database,read_database`);
      assert.equal(response.status, 200);
      body = (await response.json()) as typeof body;
      assert.deepEqual(Object.keys(body.checks).sort(), ['database', 'read_database']);
      assert.equal((await fetch(`${server.url}/readyz?checks=database,nonsense`)).status, 400);

      await t.pool.query(
        `INSERT INTO workers (worker_id, ai_source, locked_by, host, pid, version, concurrency)
         VALUES (1, 'chatgpt', 'probe@test', 'test', 1, 'test', 1)`,
      );
      response = await fetch(`${server.url}/readyz`);
      body = (await response.json()) as typeof body;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'ok');
    } finally {
      await server.close();
    }
  });

  test('/metrics exports queue_size, active_workers, dead runs and the oldest eligible run, from the database', async () => {
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('metrics one'), ('metrics two')`);
    await t.pool.query(
      `UPDATE prompt_runs SET status = 'dead', finished_at = now(), last_error = 'captcha: x'
       WHERE id = (SELECT min(id) FROM prompt_runs WHERE ai_source = 'chatgpt')`,
    );
    const server = await startTestServer(t);
    try {
      await fetch(`${server.url}/healthz`);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const value = (line: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${line} `))
            ?.split(' ')[1],
        );
      assert.equal(value('queue_size{ai_source="chatgpt",status="queued"}'), 1);
      assert.equal(value('queue_size{ai_source="chatgpt",status="dead"}'), 1);
      assert.equal(value('avt_dead_runs{ai_source="chatgpt"}'), 1);
      assert.equal(value('active_workers{ai_source="chatgpt"}'), 1);
      assert.ok(value('avt_oldest_eligible_run_seconds{ai_source="chatgpt"}') >= 0);
      assert.match(
        text,
        /avt_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1/,
      );
    } finally {
      await server.close();
    }
  });
});

describe('closed to strangers', () => {
  test('with a token, the API needs it, pages send to the login form, the probes stay open', async () => {
    const server = await startTestServer(t, { token: TOKEN });
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.notEqual((await fetch(`${server.url}/readyz`)).status, 401);
      const denied = await fetch(`${server.url}/api/openapi.json`);
      assert.equal(denied.status, 401);
      assert.match(((await denied.json()) as { error: string }).error, /Authorization: Bearer/);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
      const wrong = await fetch(`${server.url}/api/openapi.json`, {
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
      const allowed = await fetch(`${server.url}/api/openapi.json`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(allowed.status, 200);

      const page = await fetch(`${server.url}/answers?brand=Acme`, { redirect: 'manual' });
      assert.equal(page.status, 302);
      assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent('/answers?brand=Acme')}`);
    } finally {
      await server.close();
    }
  });

  test('the login form sets an HttpOnly, SameSite=Strict session cookie; a wrong token does not', async () => {
    const server = await startTestServer(t, { token: TOKEN });
    try {
      const login = (token: string, next: string) =>
        fetch(`${server.url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams({ token, next }).toString(),
        });
      const bad = await login('guess', '/');
      assert.equal(bad.status, 303);
      assert.equal(bad.headers.get('set-cookie'), null);
      assert.match(bad.headers.get('location') ?? '', /^\/login\?failed=1/);

      const good = await login(TOKEN, '//evil.example/');
      assert.equal(good.status, 303);
      assert.equal(good.headers.get('location'), '/', 'a next that leaves the site goes home instead');
      const cookie = good.headers.get('set-cookie') ?? '';
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      assert.ok(!cookie.includes(TOKEN), 'the cookie does not carry the token');
      const session = cookie.split(';')[0] as string;
      const withCookie = await fetch(`${server.url}/api/openapi.json`, { headers: { cookie: session } });
      assert.equal(withCookie.status, 200);

      // An action with the cookie must come from this site.
      const foreign = await fetch(`${server.url}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, origin: 'https://evil.example' },
      });
      assert.equal(foreign.status, 403);
      const noOrigin = await fetch(`${server.url}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session },
      });
      assert.equal(noOrigin.status, 403);
      const own = await fetch(`${server.url}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, origin: server.url },
      });
      assert.equal(own.status, 303);
    } finally {
      await server.close();
    }
  });

  test('without a token, avt serve refuses any address but loopback, in one line', async () => {
    const run = await runBin('avt', ['serve', '--host', '0.0.0.0', '--port', '0'], {
      DATABASE_URL: t.url,
      AVT_API_TOKEN: '',
    });
    assert.equal(run.code, 2);
    assert.deepEqual(run.stderr.trim().split('\n'), [
      'avt: --host 0.0.0.0 would open the tracker to the network without a token: set AVT_API_TOKEN, or serve on 127.0.0.1',
    ]);
  });

  test('every response carries a Content-Security-Policy without inline scripts', async () => {
    const server = await startTestServer(t);
    try {
      for (const path of ['/login', '/healthz', '/nope']) {
        const csp = (await fetch(`${server.url}${path}`)).headers.get('content-security-policy') ?? '';
        assert.match(csp, /script-src 'self'/, path);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      }
    } finally {
      await server.close();
    }
  });
});

describe('errors and secrets', () => {
  test('an unknown route is JSON 404 that points at the API description', async () => {
    const server = await startTestServer(t);
    try {
      const response = await fetch(`${server.url}/api/nothing-here`);
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), {
        error: 'no route GET /api/nothing-here; see /api/openapi.json',
      });
    } finally {
      await server.close();
    }
  });

  test('the token and the database password never appear in responses or logs', async () => {
    const run = await runBin('avt', ['serve', '--port', '0', '--host', '0.0.0.0'], {
      DATABASE_URL: 'postgres://avt:hunter2-secret@127.0.0.1:1/avt',
      AVT_API_TOKEN: TOKEN,
    });
    assert.notEqual(run.code, 0);
    for (const stream of [run.stdout, run.stderr]) {
      assert.ok(!stream.includes('hunter2-secret'), stream);
      assert.ok(!stream.includes(TOKEN), stream);
    }
    assert.match(run.stderr, /cannot reach the database at postgres:\/\/avt:\*\*\*@127\.0\.0\.1:1\/avt/);

    const server = await startTestServer(t, { token: TOKEN });
    try {
      for (const path of ['/api/openapi.json', '/readyz', '/metrics', '/login']) {
        const body = await (
          await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).text();
        assert.ok(!body.includes(TOKEN), `${path} shows the token`);
      }
    } finally {
      await server.close();
    }
  });
});
