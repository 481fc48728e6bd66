// Stateless replicas behind any load balancer: the same ETags everywhere, a 304 that costs no aggregate
// query, every replica's cache dropped when new results commit (LISTEN), and READ_DATABASE_URL reading from
// a real streaming replica while actions go to the primary.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.ts';
import { startServe } from '../../src/serve/startServe.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { postgresBinDir, startStreamingPair } from '../helpers/replica.ts';
import { startTestServer } from '../helpers/serve.ts';

type Db = Pick<pg.ClientBase, 'query'>;

/** One answer today on chatgpt that mentions Acme first. */
async function addAnswer(db: Db): Promise<void> {
  await db.query(
    `WITH r AS (
       INSERT INTO responses (run_id, prompt_id, ai_source, answer_text, captured_at)
       VALUES (0, gen_random_uuid(), 'chatgpt', 'Acme is good', now()) RETURNING id, captured_at)
     INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, captured_at)
     SELECT r.id, b.id, b.name, 1, r.captured_at FROM r, brands b WHERE b.name = 'Acme'`,
  );
}

const FIGURES = '/api/figures/brands?ai_source=chatgpt&brand=Acme';

async function answersCounted(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${FIGURES}`, { headers });
  const body = response.status === 200 ? ((await response.json()) as { rows: { answers: number }[] }) : null;
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    answers: body?.rows.reduce((sum, row) => sum + row.answers, 0) ?? null,
  };
}

describe('two replicas over one database', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    await t.pool.query(`INSERT INTO brands (name, is_own) VALUES ('Acme', true)`);
    await addAnswer(t.pool);
  });
  after(async () => {
    await t.drop();
  });

  test('hand out the same ETag, revalidate each other’s with 304, and both serve a new answer within a second', async () => {
    const [one, two] = [await startTestServer(t), await startTestServer(t)];
    try {
      const first = await answersCounted(one.url);
      const second = await answersCounted(two.url);
      assert.equal(first.status, 200);
      assert.equal(first.answers, 1);
      assert.ok(first.etag);
      assert.equal(second.etag, first.etag, 'the same results, the same ETag, on either replica');

      // A 304 costs no query: neither a read of the results nor of their version (known since the last change).
      for (const server of [one, two]) {
        const counted = { ...server.results.counts };
        const again: Response = await fetch(`${server.url}${FIGURES}`, {
          headers: { 'if-none-match': first.etag as string },
        });
        assert.equal(again.status, 304);
        assert.equal(await again.text(), '');
        assert.deepEqual(server.results.counts, { ...counted, not_modified: counted.not_modified + 1 });
      }

      const committed = Date.now();
      await addAnswer(t.pool);
      await waitFor(
        async () => {
          const [a, b] = await Promise.all([answersCounted(one.url), answersCounted(two.url)]);
          return a.answers === 2 && b.answers === 2 && a.etag === b.etag && a.etag !== first.etag;
        },
        5_000,
        'both replicas to serve the new answer',
      );
      const took = Date.now() - committed;
      assert.ok(took < 1_000, `both replicas served the new answer ${took} ms after its commit`);
      const stale = await fetch(`${one.url}${FIGURES}`, {
        headers: { 'if-none-match': first.etag as string },
      });
      assert.equal(stale.status, 200, 'the old ETag no longer matches');
    } finally {
      await one.close();
      await two.close();
    }
  });

  test('an answer whose text is edited shows the new text: the evidence ETag moves though no figure did', async () => {
    const server = await startTestServer(t);
    try {
      const read = async () => {
        const response = await fetch(`${server.url}/api/answers?ai_source=chatgpt`);
        const body = (await response.json()) as { rows: { answer_text: string }[] };
        return { etag: response.headers.get('etag'), texts: body.rows.map((row) => row.answer_text) };
      };
      const first = await read();
      assert.ok(first.texts.includes('Acme is good'));
      await t.pool.query(
        `UPDATE responses SET answer_text = 'Acme is great' WHERE answer_text = 'Acme is good'`,
      );
      const edited = await waitFor(
        async () => {
          const now = await read();
          return now.etag !== first.etag ? now : null;
        },
        5_000,
        'the edit to reach the replica',
      );
      assert.ok(edited);
      assert.ok(edited.texts.includes('Acme is great'));
      assert.ok(!edited.texts.includes('Acme is good'));
    } finally {
      await server.close();
    }
  });

  test('responses are compressed when the client accepts it', async () => {
    const server = await startTestServer(t);
    try {
      const response = await fetch(`${server.url}/api/openapi.json`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      assert.equal(response.headers.get('content-encoding'), 'gzip');
      assert.ok(((await response.json()) as { openapi: string }).openapi);
    } finally {
      await server.close();
    }
  });
});

describe('READ_DATABASE_URL: a real streaming replica', () => {
  const binDir = postgresBinDir();

  test('figures are read from the replica, actions go to the primary, new answers show once replicated', async (ctx) => {
    if (!binDir) {
      ctx.skip('PostgreSQL server programs with pg_basebackup are not installed (Debian: postgresql)');
      return;
    }
    const pair = await startStreamingPair(binDir);
    const primary = new pg.Pool({ connectionString: pair.primaryUrl, max: 2 });
    const replica = new pg.Pool({ connectionString: pair.replicaUrl, max: 2 });
    try {
      await migrate(primary);
      await primary.query(`INSERT INTO brands (name, is_own) VALUES ('Acme', true)`);
      await addAnswer(primary);
      const server = await startServe({
        port: 0,
        host: '127.0.0.1',
        databaseUrl: pair.primaryUrl,
        readDatabaseUrl: pair.replicaUrl,
        token: undefined,
        llm: undefined,
        logger: pino({ level: 'silent' }),
      });
      try {
        await waitFor(
          async () => (await answersCounted(server.url)).answers === 1,
          10_000,
          'the replica to catch up',
        );
        const { rows: readers } = await replica.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'avt-serve:read'`,
        );
        assert.ok((readers[0]?.n ?? 0) > 0, 'the figures were read on the replica');

        await addAnswer(primary);
        await waitFor(async () => (await answersCounted(server.url)).answers === 2, 10_000, 'the new answer');

        const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
          checks: { read_database: { ok: boolean } };
        };
        assert.equal(ready.checks.read_database.ok, true);

        // An action writes on the primary: the replica is read-only and would refuse it.
        const paused = await fetch(`${server.url}/api/sources/chatgpt/pause`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'replica test' }),
        });
        assert.equal(paused.status, 200, await paused.text());
        const { rows } = await primary.query(`SELECT pause_reason FROM ai_sources WHERE name = 'chatgpt'`);
        assert.equal(rows[0]?.pause_reason, 'replica test');
      } finally {
        await server.close();
      }
    } finally {
      await primary.end();
      await replica.end();
      await pair.stop();
    }
  });
});
