// avt serve's operations over HTTP: the queue, the workers and the dead runs as live JSON, the failure
// artifacts (and nothing outside them), and the actions, each checked in the queue it changes.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { RunningServer } from '../../src/serve/startServe.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { claim, onlySources } from '../helpers/queue.ts';
import { startTestServer } from '../helpers/serve.ts';
import { deadRun } from '../operations/fixtures.ts';

let t: TestDatabase;
let server: RunningServer;
let artifactsRoot: string;
before(async () => {
  t = await createTestDatabase();
  server = await startTestServer(t);
  artifactsRoot = await mkdtemp(join(tmpdir(), 'avt-serve-artifacts-'));
});
after(async () => {
  await server.close();
  await t.drop();
  await rm(artifactsRoot, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, categories, brands, workers CASCADE');
  await t.pool.query('UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL');
  await onlySources(t.pool, 'chatgpt', 'gemini');
});

const get = (path: string) => fetch(`${server.url}${path}`);

function post(
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': contentType, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A 400 whose JSON error says `message`. */
async function refused(response: Response, message: RegExp, status = 400): Promise<void> {
  const body = (await response.json()) as { error?: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.match(body.error ?? '', message);
}

async function statuses(): Promise<Record<string, number>> {
  const { rows } = await t.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM prompt_runs GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

describe('reads', () => {
  test('GET /api/queue: queue_health with numbers as numbers, the wait in seconds, never cached', async () => {
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('one'), ('two')`);
    await t.pool.query(`UPDATE prompt_runs SET run_after = now() - interval '90 seconds'`);
    const response = await get('/api/queue');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { rows } = (await response.json()) as { rows: Record<string, unknown>[] };
    const chatgpt = rows.find((row) => row.ai_source === 'chatgpt');
    assert.deepEqual(
      { ...chatgpt, oldest_eligible_age: undefined },
      {
        ai_source: 'chatgpt',
        enabled: true,
        paused_until: null,
        pause_reason: null,
        max_concurrency: 10,
        eligible: 2,
        delayed: 0,
        running: 0,
        expired_leases: 0,
        done: 0,
        dead: 0,
        cancelled: 0,
        oldest_eligible_age: undefined,
      },
    );
    const age = chatgpt?.oldest_eligible_age as number;
    assert.ok(age >= 90 && age < 200, `oldest_eligible_age ${age}`);
    assert.equal(rows.find((row) => row.ai_source === 'claude')?.oldest_eligible_age, null);
  });

  test('GET /api/workers: each process with its state', async () => {
    await t.pool.query(
      `INSERT INTO workers (worker_id, ai_source, locked_by, host, pid, version, concurrency, last_seen_at, stopped_at)
       VALUES (1, 'chatgpt', '1@a', 'host-a', 11, '0.1.0', 2, now(), NULL),
              (2, 'chatgpt', '2@b', 'host-b', 12, '0.1.0', 2, now() - interval '10 minutes', NULL)`,
    );
    const response = await get('/api/workers');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const { rows } = (await response.json()) as { rows: Record<string, unknown>[] };
    assert.deepEqual(
      rows.map(({ worker_id, host, pid, state }) => ({ worker_id, host, pid, state })),
      [
        { worker_id: 1, host: 'host-a', pid: 11, state: 'live' },
        { worker_id: 2, host: 'host-b', pid: 12, state: 'vanished' },
      ],
    );
    assert.ok(!Number.isNaN(Date.parse(rows[0]?.last_seen_at as string)));
  });
});

describe('dead runs and their artifacts', () => {
  test('lists dead runs with links to their files: a PNG inline, captured HTML only as a text download, a zip', async () => {
    const dir = join(artifactsRoot, 'run');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'screenshot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(join(dir, 'page.html'), '<script>alert(1)</script>');
    await writeFile(join(dir, 'trace.zip'), 'PK');
    const id = await deadRun(t.pool, { text: 'why did this die?', artifactsPath: dir });

    const response = await get('/api/runs/dead?ai_source=chatgpt&limit=10');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const page = (await response.json()) as {
      rows: {
        id: number;
        prompt: string;
        attempts: number;
        last_error: string;
        artifacts: { file: string; url: string }[];
      }[];
      next_cursor: string | null;
    };
    assert.equal(page.next_cursor, null);
    assert.equal(page.rows.length, 1);
    const run = page.rows[0];
    assert.deepEqual(
      { id: run?.id, prompt: run?.prompt, attempts: run?.attempts, last_error: run?.last_error },
      { id, prompt: 'why did this die?', attempts: 1, last_error: 'bad_input: the prompt cannot be run' },
    );
    const urls = Object.fromEntries(run?.artifacts.map((artifact) => [artifact.file, artifact.url]) ?? []);
    assert.deepEqual(Object.keys(urls).sort(), ['page.html', 'screenshot.png', 'trace.zip']);

    const png = await get(urls['screenshot.png'] ?? '');
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.match(png.headers.get('content-disposition') ?? '', /^inline/);
    assert.deepEqual([...new Uint8Array(await png.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);

    const html = await get(urls['page.html'] ?? '');
    assert.equal(html.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(
      html.headers.get('content-disposition'),
      `attachment; filename="run-${id}-attempt-1-page.html"`,
    );
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await html.text(), '<script>alert(1)</script>');

    const zip = await get(urls['trace.zip'] ?? '');
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    assert.match(zip.headers.get('content-disposition') ?? '', /^attachment/);
  });

  test('a path out of the artifacts directory is refused; a missing file or attempt is 404', async () => {
    const dir = join(artifactsRoot, 'traversal');
    await mkdir(dir, { recursive: true });
    await writeFile(join(artifactsRoot, 'secret.txt'), 'not yours');
    const id = await deadRun(t.pool, { artifactsPath: dir });
    for (const file of ['..%2Fsecret.txt', '%2E%2E%2Fsecret.txt', '%2Fetc%2Fpasswd', '.hidden']) {
      const response = await get(`/api/runs/${id}/artifacts/1/${file}`);
      const text = await response.text();
      assert.equal(response.status, 400, `${file}: ${text}`);
      assert.doesNotMatch(text, /not yours/);
    }
    await refused(
      await get(`/api/runs/${id}/artifacts/1/screenshot.png`),
      /saved no file screenshot\.png/,
      404,
    );
    await refused(await get(`/api/runs/${id}/artifacts/3/screenshot.png`), /has no attempt 3/, 404);
    await refused(await get(`/api/runs/x/artifacts/1/screenshot.png`), /^params\.id must be integer/);
    await refused(
      await get(`/api/runs/${'9'.repeat(25)}/artifacts/1/a.png`),
      /^params\.id must be <= 9007199254740991/,
    );
  });

  test('POST /api/runs/dead/retry queues dead runs again, and a worker can claim them', async () => {
    const id = await deadRun(t.pool, { source: 'gemini' });
    await deadRun(t.pool, { source: 'chatgpt' });
    const response = await post('/api/runs/dead/retry', { ai_source: 'gemini', run_ids: [id] });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { retried: 1 });
    const lease = await claim(t.pool, { source: 'gemini' });
    assert.equal(Number(lease?.runId), id);
    assert.equal(lease?.attempt, 1);
    const queue = (await (await get('/api/queue')).json()) as { rows: { ai_source: string; dead: number }[] };
    assert.equal(queue.rows.find((row) => row.ai_source === 'chatgpt')?.dead, 1);
    assert.equal(queue.rows.find((row) => row.ai_source === 'gemini')?.dead, 0);
  });

  test('bad retry bodies are 400 with what to change, and retry nothing', async () => {
    await deadRun(t.pool);
    await refused(await post('/api/runs/dead/retry', { run_id: [1] }), /^body has no field 'run_id'$/);
    await refused(
      await post('/api/runs/dead/retry', { run_ids: ['x'] }),
      /^body\.run_ids\.0 must be integer$/,
    );
    await refused(
      await post('/api/runs/dead/retry', { since: 'last week' }),
      /^since must be an ISO 8601 timestamp/,
    );
    await refused(
      await post('/api/runs/dead/retry', { ai_source: 'chatgtp' }),
      /unknown AI source 'chatgtp'; known sources: chatgpt/,
    );
    await refused(await post('/api/runs/dead/retry', '{"ai_source":'), /JSON/);
    await refused(await post('/api/runs/dead/retry', []), /^body must be object$/);
    await refused(await get('/api/runs/dead?limit=500'), /^querystring\.limit must be <= 200$/);
    await refused(await get('/api/runs/dead?cursor=abc'), /next_cursor/);
    assert.deepEqual(await statuses(), { dead: 1, cancelled: 1 });
  });
});

describe('pause and resume', () => {
  test('a paused source gives no claims until resumed; the queue shows the pause', async () => {
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('held back')`);
    let response = await post('/api/sources/chatgpt/pause', { reason: 'captcha by hand' });
    assert.deepEqual(await response.json(), { ai_source: 'chatgpt', paused_until: 'infinity' });
    assert.equal(await claim(t.pool, { source: 'chatgpt' }), null);
    const queue = (await (await get('/api/queue')).json()) as { rows: Record<string, unknown>[] };
    assert.deepEqual(
      queue.rows
        .filter((row) => row.ai_source === 'chatgpt')
        .map(({ paused_until, pause_reason }) => ({ paused_until, pause_reason })),
      [{ paused_until: 'infinity', pause_reason: 'captcha by hand' }],
    );

    response = await post('/api/sources/chatgpt/resume');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ai_source: 'chatgpt', paused_until: null });
    assert.equal((await claim(t.pool, { source: 'chatgpt' }))?.promptText, 'held back');
  });

  test('a pause until a time; with no body at all, until resumed', async () => {
    const until = new Date(Date.now() + 600_000).toISOString();
    const timed = (await (await post('/api/sources/gemini/pause', { until })).json()) as {
      paused_until: string;
    };
    assert.equal(Date.parse(timed.paused_until), Date.parse(until));
    const open = (await (await post('/api/sources/gemini/pause')).json()) as { paused_until: string };
    assert.equal(open.paused_until, 'infinity');
  });

  test('an unknown source is 404 listing the known ones; a bad until is 400; nothing is paused', async () => {
    await refused(
      await post('/api/sources/chatgtp/pause', {}),
      /^unknown AI source 'chatgtp'; known sources: chatgpt, claude, copilot, gemini, google_ai_overview, perplexity$/,
      404,
    );
    await refused(await post('/api/sources/nope/resume'), /unknown AI source 'nope'/, 404);
    await refused(
      await post('/api/sources/chatgpt/pause', { until: '2001-01-01T00:00:00Z' }),
      /not in the future/,
    );
    await refused(
      await post('/api/sources/chatgpt/pause', { until: 5 * 60 }),
      /must be an ISO 8601 timestamp/,
    );
    await refused(await post('/api/sources/chatgpt/pause', { for: '5m' }), /^body has no field 'for'$/);
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM ai_sources WHERE paused_until IS NOT NULL',
    );
    assert.equal(rows[0]?.n, 0);
  });

  test('an action with a foreign Origin is refused 403 and does nothing', async () => {
    await refused(
      await post('/api/sources/chatgpt/pause', {}, 'application/json', { origin: 'https://evil.example' }),
      /must come from this site/,
      403,
    );
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM ai_sources WHERE paused_until IS NOT NULL',
    );
    assert.equal(rows[0]?.n, 0);
  });
});

describe('uploads', () => {
  test('POST /api/prompts with JSON: good rows in with their runs, bad rows numbered from 1', async () => {
    const response = await post('/api/prompts?category=CRM', [
      'plain string prompt',
      { text: 'with a category', category: 'Help desk', priority: 3 },
      { text: '' },
      { text: 'x', priority: 'high' },
      { text: 'y', colour: 'red' },
    ]);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), {
      added: 2,
      errors: [
        { row: 3, message: 'text is blank' },
        { row: 4, message: 'priority must be a whole number from -2147483648 to 2147483647, got "high"' },
        { row: 5, message: "unknown field 'colour'; the fields are text, category, priority, active" },
      ],
    });
    const { rows } = await t.pool.query(
      `SELECT p.text, c.name AS category, count(r.id)::int AS runs
       FROM prompts p JOIN categories c ON c.id = p.category_id JOIN prompt_runs r ON r.prompt_id = p.id
       WHERE r.status = 'queued' GROUP BY 1, 2 ORDER BY 1`,
    );
    assert.deepEqual(rows, [
      { text: 'plain string prompt', category: 'CRM', runs: 2 },
      { text: 'with a category', category: 'Help desk', runs: 2 },
    ]);
  });

  test('POST /api/prompts with CSV: row numbers are lines, the header being line 1', async () => {
    const csv = 'text,category,priority\nfirst,CRM,1\n,CRM,1\n"two\nlines",,2\nbad,CRM,1.5\nlast,,\n';
    const response = await post('/api/prompts', csv, 'text/csv; charset=utf-8');
    assert.deepEqual(await response.json(), {
      added: 3,
      errors: [
        { row: 3, message: 'text is missing: every prompt needs its text' },
        { row: 6, message: 'priority must be a whole number from -2147483648 to 2147483647, got "1.5"' },
      ],
    });
    const { rows } = await t.pool.query('SELECT text FROM prompts ORDER BY text');
    assert.deepEqual(
      rows.map((row) => row.text),
      ['first', 'last', 'two\nlines'],
    );
    assert.equal((await statuses()).queued, 6);
  });

  test('a body that is neither a JSON array nor CSV is 400 saying what is accepted, and adds nothing', async () => {
    const accepted = /JSON array \(Content-Type: application\/json\) or CSV .*\(Content-Type: text\/csv\)/;
    await refused(await post('/api/prompts', 'text=hello', 'application/x-www-form-urlencoded'), accepted);
    await refused(await post('/api/prompts', '<prompts/>', 'application/xml'), accepted);
    await refused(await post('/api/prompts'), accepted);
    await refused(
      await post('/api/prompts', '{"text": "one"}'),
      /^expected a JSON array of rows, got object$/,
    );
    await refused(await post('/api/prompts', '[{"text": "one"},'), /^the body is not JSON: /);
    await refused(
      await post('/api/prompts', 'prompt,colour\na,b\n', 'text/csv'),
      /^line 1: unknown column 'prompt'/,
    );
    await refused(await post('/api/prompts?category=%20', ['a']), /^the default category is blank$/);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM prompts');
    assert.equal(rows[0]?.n, 0);
  });

  test('POST /api/brands/import upserts by name from CSV; bad rows are numbered', async () => {
    await t.pool.query(`INSERT INTO brands (name, aliases, is_own) VALUES ('Acme', '{Acme Inc}', false)`);
    const csv =
      'name,aliases,domains,is_own\nAcme,Acme Inc;ACME,acme.com,true\nGlobex,,globex.io,false\n,x,,\n';
    const response = await post('/api/brands/import', csv, 'text/csv');
    assert.deepEqual(await response.json(), {
      upserted: 2,
      errors: [{ row: 4, message: 'name is missing: every brand needs its name' }],
    });
    const { rows } = await t.pool.query('SELECT name, aliases, domains, is_own FROM brands ORDER BY name');
    assert.deepEqual(rows, [
      { name: 'Acme', aliases: ['Acme Inc', 'ACME'], domains: ['acme.com'], is_own: true },
      { name: 'Globex', aliases: [], domains: ['globex.io'], is_own: false },
    ]);
    const json = await post('/api/brands/import', [
      { name: 'Initech', owner: true },
      { name: 'Hooli', is_own: true },
    ]);
    assert.deepEqual(await json.json(), {
      upserted: 1,
      errors: [{ row: 1, message: "unknown field 'owner'; the fields are name, aliases, domains, is_own" }],
    });
    await refused(
      await post('/api/brands/import', 'name\n', 'text/csv'),
      /^no rows: the CSV has a header line/,
    );
  });
});

describe('openapi', () => {
  test('/api/openapi.json documents every operations route', async () => {
    const document = (await (await get('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of [
      'GET /api/queue',
      'GET /api/workers',
      'GET /api/runs/dead',
      'GET /api/runs/{id}/artifacts/{attempt}/{file}',
      'POST /api/runs/dead/retry',
      'POST /api/sources/{name}/pause',
      'POST /api/sources/{name}/resume',
      'POST /api/prompts',
      'POST /api/brands/import',
    ]) {
      assert.ok(routes.includes(route), `${route} is not in the OpenAPI document`);
    }
    const prompts = document.paths['/api/prompts']?.post as {
      requestBody?: { content?: Record<string, unknown> };
    };
    assert.deepEqual(Object.keys(prompts.requestBody?.content ?? {}).sort(), [
      'application/json',
      'text/csv',
    ]);
  });
});
