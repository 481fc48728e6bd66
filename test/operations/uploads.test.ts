import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { enqueuePrompts } from '../../src/operations/enqueuePrompts.ts';
import { importBrands } from '../../src/operations/importBrands.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { claim, onlySources } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, categories, brands CASCADE');
  await onlySources(t.pool, 'chatgpt', 'gemini');
});

async function prompts() {
  const { rows } = await t.pool.query<{
    text: string;
    category: string | null;
    priority: number;
    active: boolean;
    runs: string[];
  }>(
    `SELECT p.text, c.name AS category, p.priority, p.active,
            array_remove(array_agg(r.ai_source || ':' || r.status ORDER BY r.ai_source), NULL) AS runs
     FROM prompts p LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN prompt_runs r ON r.prompt_id = p.id
     GROUP BY p.id, p.text, c.name, p.priority, p.active, p.created_at ORDER BY p.created_at, p.text`,
  );
  return rows;
}

describe('enqueuePrompts', () => {
  test('adds the good rows of a JSON upload with their runs, creates named categories, and numbers each bad row', async () => {
    await t.pool.query(`INSERT INTO categories (name) VALUES ('CRM')`);
    const result = await enqueuePrompts(
      t.db,
      {
        format: 'json',
        text: JSON.stringify([
          'best CRM for a startup?',
          { text: 'best help desk?', category: ' Support ', priority: 5 },
          { text: '   ' },
          { text: 'x'.repeat(8_001) },
          { text: 'bad priority', priority: 1.5 },
          { text: 'parked', active: false, category: 'CRM' },
          { text: 'typo', prio: 1 },
          { text: 'nul \0 inside' },
          { text: 'half an emoji \ud83d', category: 'fine' },
        ]),
      },
      { defaultCategory: 'CRM' },
    );
    assert.deepEqual(result, {
      added: 3,
      errors: [
        { row: 3, message: 'text is blank' },
        { row: 4, message: 'text is 8001 characters long; at most 8000' },
        { row: 5, message: 'priority must be a whole number from -2147483648 to 2147483647, got 1.5' },
        { row: 7, message: "unknown field 'prio'; the fields are text, category, priority, active" },
        { row: 8, message: 'text contains a NUL character' },
        { row: 9, message: 'text contains an unpaired surrogate (not valid Unicode)' },
      ],
    });
    assert.deepEqual(await prompts(), [
      {
        text: 'best CRM for a startup?',
        category: 'CRM',
        priority: 0,
        active: true,
        runs: ['chatgpt:queued', 'gemini:queued'],
      },
      {
        text: 'best help desk?',
        category: 'Support',
        priority: 5,
        active: true,
        runs: ['chatgpt:queued', 'gemini:queued'],
      },
      { text: 'parked', category: 'CRM', priority: 0, active: false, runs: [] },
    ]);
    const { rows } = await t.pool.query<{ name: string }>('SELECT name FROM categories ORDER BY name');
    assert.deepEqual(
      rows.map((row) => row.name),
      ['CRM', 'Support'],
    );
    const lease = await claim(t.pool, { source: 'gemini' });
    assert.equal(lease?.promptText, 'best help desk?', 'the higher priority prompt is claimed first');
  });

  test('CSV rows are numbered by line; text is stored verbatim, cells are coerced', async () => {
    const csv = 'text,priority,active\n  leading spaces kept,7,yes\n,1,true\n"multi\nline",x,no\nok,-3,0\n';
    const result = await enqueuePrompts(t.db, { format: 'csv', text: csv });
    assert.deepEqual(result.errors, [
      { row: 3, message: 'text is missing: every prompt needs its text' },
      { row: 4, message: 'priority must be a whole number from -2147483648 to 2147483647, got "x"' },
    ]);
    assert.equal(result.added, 2);
    assert.deepEqual(
      (await prompts()).map(({ text, priority, active }) => ({ text, priority, active })),
      [
        { text: '  leading spaces kept', priority: 7, active: true },
        { text: 'ok', priority: -3, active: false },
      ],
    );
  });

  test('an upload whose rows are all bad adds nothing', async () => {
    const result = await enqueuePrompts(t.db, { format: 'json', text: '[{"text": ""}, 7]' });
    assert.equal(result.added, 0);
    assert.deepEqual(
      result.errors.map((error) => error.row),
      [1, 2],
    );
    assert.deepEqual(await prompts(), []);
  });

  test('a blank default category is refused before anything is added', async () => {
    await assert.rejects(enqueuePrompts(t.db, { format: 'json', text: '["a"]' }, { defaultCategory: '  ' }), {
      name: 'InvalidInputError',
      message: 'the default category is blank',
    });
    assert.deepEqual(await prompts(), []);
  });

  test('a large upload goes in chunks of 1,000, reported as they land, and all of them or none commit', async () => {
    const lines = Array.from({ length: 2_500 }, (_, i) => JSON.stringify(`prompt ${i}`));
    const progress: [number, number][] = [];
    const result = await enqueuePrompts(
      t.db,
      { format: 'jsonl', text: lines.join('\n') },
      { onProgress: (added, total) => progress.push([added, total]) },
    );
    assert.equal(result.added, 2_500);
    assert.deepEqual(progress, [
      [1_000, 2_500],
      [2_000, 2_500],
      [2_500, 2_500],
    ]);

    // A failure in the second chunk takes the first one back with it.
    await t.pool.query('TRUNCATE prompts, prompt_runs CASCADE');
    await t.pool.query(`CREATE FUNCTION refuse_prompt() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.text = 'prompt 1500' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await t.pool.query(
      'CREATE TRIGGER refuse_prompt BEFORE INSERT ON prompts FOR EACH ROW EXECUTE FUNCTION refuse_prompt()',
    );
    try {
      await assert.rejects(
        enqueuePrompts(t.db, { format: 'jsonl', text: lines.join('\n') }),
        /refused for the test/,
      );
    } finally {
      await t.pool.query('DROP TRIGGER refuse_prompt ON prompts; DROP FUNCTION refuse_prompt()');
    }
    assert.deepEqual(await prompts(), []);
  });
});

async function brands() {
  const { rows } = await t.pool.query('SELECT name, aliases, domains, is_own FROM brands ORDER BY name');
  return rows;
}

describe('importBrands', () => {
  test('upserts by name; a field left out keeps its stored value; bad rows and repeated names are reported', async () => {
    await t.pool.query(
      `INSERT INTO brands (name, aliases, domains, is_own) VALUES ('Acme', '{ACME Corp}', '{acme.com}', true)`,
    );
    const result = await importBrands(t.db, {
      format: 'json',
      text: JSON.stringify([
        { name: 'Acme', domains: ['acme.com', 'acme.io'] },
        { name: 'Globex', aliases: ['Globex Corp'], is_own: false },
        { name: 'Initech', domains: ['https://initech.com'] },
        { name: 'Globex', aliases: [] },
        { name: 'Hooli', is_own: 'yes' },
        { aliases: ['nameless'] },
      ]),
    });
    assert.deepEqual(result, {
      upserted: 2,
      errors: [
        { row: 3, message: 'domains: "https://initech.com" is not a bare domain such as example.com' },
        { row: 4, message: "the brand 'Globex' is on row 2 already" },
        { row: 5, message: 'is_own must be true or false, got "yes"' },
        { row: 6, message: 'name is missing: every brand needs its name' },
      ],
    });
    assert.deepEqual(await brands(), [
      { name: 'Acme', aliases: ['ACME Corp'], domains: ['acme.com', 'acme.io'], is_own: true },
      { name: 'Globex', aliases: ['Globex Corp'], domains: [], is_own: false },
    ]);
  });

  test('CSV: aliases and domains are ;-separated, is_own takes yes/no, an empty cell keeps the stored value', async () => {
    await t.pool.query(`INSERT INTO brands (name, aliases, is_own) VALUES ('Acme', '{Old}', true)`);
    const csv =
      'name,aliases,domains,is_own\nAcme,,acme.com; acme.io;,\nGlobex,Globex Corp;GX,globex.io,no\nBad,,not a domain,\n';
    const result = await importBrands(t.db, { format: 'csv', text: csv });
    assert.deepEqual(result, {
      upserted: 2,
      errors: [{ row: 4, message: 'domains: "not a domain" is not a bare domain such as example.com' }],
    });
    assert.deepEqual(await brands(), [
      { name: 'Acme', aliases: ['Old'], domains: ['acme.com', 'acme.io'], is_own: true },
      { name: 'Globex', aliases: ['Globex Corp', 'GX'], domains: ['globex.io'], is_own: false },
    ]);
  });
});
