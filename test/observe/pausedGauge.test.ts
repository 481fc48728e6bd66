// avt serve's avt_source_paused: what the "source paused" alert reads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer } from '../helpers/serve.ts';

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase();
});

after(async () => {
  await t?.drop();
});

test('avt_source_paused is 1 for a source paused until later or until resumed, 0 once the pause ran out', async () => {
  await t.pool.query(`UPDATE ai_sources SET paused_until = CASE name
      WHEN 'chatgpt' THEN 'infinity'::timestamptz
      WHEN 'gemini' THEN now() + interval '1 hour'
      ELSE now() - interval '1 minute' END`);
  const server = await startTestServer(t);
  try {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (source: string) =>
      text
        .split('\n')
        .find((line) => line.startsWith(`avt_source_paused{ai_source="${source}"} `))
        ?.split(' ')[1];
    assert.equal(value('chatgpt'), '1');
    assert.equal(value('gemini'), '1');
    assert.equal(value('perplexity'), '0');
  } finally {
    await server.close();
  }
});
