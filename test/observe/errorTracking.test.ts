// SENTRY_DSN: a worker reports an unexpected error once, tagged with its source, worker, run and attempt and
// the release, with secrets scrubbed; a typed job failure (a selector drift) is not reported. The DSN points at a local
// HTTP endpoint that collects what Sentry's SDK sends (its envelope format).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { version } from '../../src/version.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

interface SentryEvent {
  event_id: string;
  release?: string;
  tags?: Record<string, string>;
  exception?: { values?: { type?: string; value?: string }[] };
}

const API_KEY = 'sk-test-secret-4711';
const LEAKY_PROMPT = `fail:unknown while calling the LLM with ${API_KEY} via postgres://avt:hunter2@db:5432/avt`;

describe('error tracking (SENTRY_DSN)', () => {
  let t: TestDatabase;
  let sentry: Server;
  let dsn: string;
  const bodies: string[] = [];
  const events: SentryEvent[] = [];

  before(async () => {
    t = await createTestDatabase();
    sentry = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
        if (request.url?.startsWith('/api/42/envelope')) {
          bodies.push(body);
          // header, then (item header, item payload) pairs
          const lines = body.split('\n').filter(Boolean);
          for (let i = 1; i + 1 < lines.length; i += 2) {
            if (JSON.parse(lines[i] as string).type === 'event')
              events.push(JSON.parse(lines[i + 1] as string));
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => sentry.listen(0, '127.0.0.1', resolve));
    dsn = `http://publickey@127.0.0.1:${(sentry.address() as AddressInfo).port}/42`;
  });
  after(async () => {
    await new Promise((resolve) => sentry.close(resolve));
    await t.drop();
  });

  test('an unexpected error arrives once, tagged and scrubbed; a selector drift does not arrive', async () => {
    await t.pool.query(
      `UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL, max_attempts = 1`,
    );
    const { rows } = await t.pool.query<{ id: string; text: string }>(
      `INSERT INTO prompts (text) VALUES ($1), ('fail:selector_drift') RETURNING id, text`,
      [LEAKY_PROMPT],
    );
    const worker = spawnWorker(['--ai-source', 'chatgpt', '--worker-id', '7', '--no-maintenance'], {
      DATABASE_URL: t.url,
      SENTRY_DSN: dsn,
      SENTRY_ENVIRONMENT: 'test',
      LLM_API_KEY: API_KEY,
    });
    try {
      await waitFor(
        async () => (await t.pool.query(`SELECT 1 FROM prompt_runs WHERE status = 'dead'`)).rowCount === 2,
        90_000,
        'both runs dead',
      );
    } finally {
      worker.child.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, worker.stderr());
    assert.ok(worker.logs.some((line) => line.event === 'sentry:on'));

    const leakyPromptId = rows.find((row) => row.text === LEAKY_PROMPT)?.id;
    const run = await t.pool.query<{ id: string }>('SELECT id FROM prompt_runs WHERE prompt_id = $1', [
      leakyPromptId,
    ]);
    assert.equal(events.length, 1, JSON.stringify(events.map((event) => event.exception)));
    const [event] = events as [SentryEvent];
    assert.match(event.exception?.values?.[0]?.value ?? '', /^scripted unknown: fail:unknown while calling/);
    assert.deepEqual(
      {
        ai_source: event.tags?.ai_source,
        worker_id: event.tags?.worker_id,
        run_id: event.tags?.run_id,
        attempt: event.tags?.attempt,
        step: event.tags?.step,
      },
      { ai_source: 'chatgpt', worker_id: '7', run_id: run.rows[0]?.id, attempt: '1', step: 'run the job' },
    );
    assert.equal(event.release, `ai-visibility-tracker@${version}`);
    const sent = bodies.join('\n');
    assert.ok(!sent.includes(API_KEY), 'the API key never leaves the process');
    assert.ok(!sent.includes('hunter2'), "the URL's password never leaves the process");
    assert.match(sent, /postgres:\/\/avt:\*\*\*@db:5432/);
    assert.match(sent, /\[redacted\]/);
    assert.ok(!/captcha/i.test(JSON.stringify(events)), 'a typed failure is a metric, not a report');
  });

  test('without SENTRY_DSN nothing is loaded or sent', async () => {
    const before = bodies.length;
    await t.pool.query(`INSERT INTO prompts (text) VALUES ('fail:unknown quietly')`);
    const worker = spawnWorker(['--ai-source', 'chatgpt', '--worker-id', '8', '--no-maintenance', '--once'], {
      DATABASE_URL: t.url,
    });
    assert.equal(await worker.exited, 0, worker.stderr());
    assert.ok(!worker.logs.some((line) => line.event === 'sentry:on'));
    assert.equal(bodies.length, before);
  });
});
