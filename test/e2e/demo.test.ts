import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await database?.drop();
});

test('avt demo runs the whole pipeline and reports; a second run adds samples', {
  timeout: 600_000,
}, async () => {
  const args = ['demo', '--prompts', '2', '--sources', 'chatgpt,perplexity', '--latency-ms', '300'];
  // METRICS_PORT as the image sets it: the demo's two workers must not both ask for it.
  const first = await runBin('avt', args, { DATABASE_URL: database.url, METRICS_PORT: '9464' });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /2 prompts × 2 sources = 4 runs queued/);
  assert.match(
    first.stderr,
    /^Chromium \d+\.[\d.]+ \((CHROMIUM_PATH|system|bundled), \/\S+\)$/m,
    'which Chromium, once',
  );
  const seed = Number(/, seed (\d+) \(--seed \1 asks for the same answers again\)/.exec(first.stderr)?.[1]);
  assert.ok(Number.isSafeInteger(seed), `no seed in the log: ${first.stderr}`);
  assert.match(first.stderr, /4 runs done, 0 dead/);
  assert.match(first.stdout, /^chatgpt: 2 answers$/m);
  assert.match(first.stdout, /^perplexity: 2 answers$/m);
  assert.match(first.stdout, /Pipedrive \(own\)/);
  assert.match(first.stdout, /most cited domains/);

  const { rows } = await database.pool.query<{ method: string; n: number }>(
    'SELECT extraction_method AS method, count(*)::int AS n FROM responses GROUP BY 1',
  );
  assert.deepEqual(rows, [{ method: 'llm', n: 4 }], 'every answer went through the mock LLM');
  const mentions = await database.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM brand_mentions WHERE sentiment IS NOT NULL',
  );
  assert.ok((mentions.rows[0]?.n ?? 0) >= 4, 'mentions with sentiment were stored');

  const second = await runBin('avt', [...args, '--seed', String(seed + 1)], { DATABASE_URL: database.url });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`, seed ${seed + 1} `));
  assert.match(second.stdout, /^chatgpt: 4 answers$/m, 'the same prompts again: more samples, one figure');
  const prompts = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM prompts');
  assert.equal(prompts.rows[0]?.n, 2, 'the demo prompts are added once');
  const answers = await database.pool.query<{ n: number }>(
    'SELECT count(DISTINCT answer_text)::int AS n FROM responses',
  );
  assert.equal(answers.rows[0]?.n, 8, 'the second run drew new samples: eight different answers');
});

test('avt demo refuses an unknown source with one line and exit 2', async () => {
  const result = await runBin('avt', ['demo', '--sources', 'chatgpt,bard'], { DATABASE_URL: database.url });
  assert.equal(result.code, 2);
  assert.match(result.stderr.trim(), /^avt: unknown AI source 'bard'; known sources: .*chatgpt/);
});
