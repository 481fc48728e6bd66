import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

test('avt resume clears a pause (the same operation as the API) and names the known sources for a typo', async () => {
  await t.pool.query(`SELECT pause_source('chatgpt', 'infinity', 'captcha')`);
  const resumed = await runBin('avt', ['resume', 'chatgpt'], { DATABASE_URL: t.url });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.stdout.trim(), 'chatgpt resumed');
  const { rows } = await t.pool.query(
    `SELECT paused_until, pause_reason FROM ai_sources WHERE name = 'chatgpt'`,
  );
  assert.deepEqual(rows[0], { paused_until: null, pause_reason: null });

  const typo = await runBin('avt', ['resume', 'chatgtp'], { DATABASE_URL: t.url });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr.trim(), /^avt: unknown AI source 'chatgtp'; known sources: chatgpt, claude, /);
});
