// deploy/compose/demo-seed.sql, the market of `docker compose --profile demo up`: the brands and questions of
// `avt demo` (src/demo/demoData.ts), so the two demos tell the same story; runs queued only for the sources
// the compose demo has workers for; and nothing added twice when the demo starts again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DEMO_PROMPTS } from '../../src/demo/demoData.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { loadCompose, ROOT, servicesIn } from './composeFile.ts';

const seed = readFileSync(`${ROOT}deploy/compose/demo-seed.sql`, 'utf8');
let t: TestDatabase;

describe('the compose demo seed', () => {
  before(async () => {
    t = await createTestDatabase();
    await t.pool.query(seed);
    await t.pool.query(seed);
  });
  after(() => t.drop());

  test("has avt demo's questions and tracked brands, Pipedrive as ours", async () => {
    const { rows: prompts } = await t.pool.query<{ text: string }>(
      'SELECT text FROM prompts ORDER BY created_at, text',
    );
    assert.deepEqual(prompts.map(({ text }) => text).sort(), [...DEMO_PROMPTS].sort());
    const { rows: brands } = await t.pool.query(
      'SELECT name, aliases, domains, is_own FROM brands ORDER BY id',
    );
    assert.deepEqual(
      brands,
      DEMO_BRANDS.slice(0, 6).map(({ name, aliases = [], domains = [] }) => ({
        name,
        aliases,
        domains,
        is_own: name === 'Pipedrive',
      })),
    );
  });

  test('queues one run per question for each source the demo runs workers for, once', async () => {
    const { rows } = await t.pool.query<{ ai_source: string; runs: number }>(
      `SELECT ai_source, count(*)::int AS runs FROM prompt_runs WHERE status = 'queued' GROUP BY 1 ORDER BY 1`,
    );
    const sources = servicesIn(loadCompose(), 'demo')
      .filter(([name]) => name.startsWith('demo-worker-'))
      .map(([name]) => name.replace('demo-worker-', ''))
      .sort();
    assert.deepEqual(
      rows,
      sources.map((ai_source) => ({ ai_source, runs: DEMO_PROMPTS.length })),
    );
  });
});
