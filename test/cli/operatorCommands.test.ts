// The operators' commands (avt retry-dead, pause, enqueue, brands import) run as bin/avt against a scratch
// database: each one's effect is checked in the database, and each refusal is one line and exit code 2.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SOME_ROWS_REFUSED } from '../../src/cli/commands/uploadFile.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { onlySources } from '../helpers/queue.ts';
import { deadRun } from '../operations/fixtures.ts';

let t: TestDatabase;
let dir: string;
before(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'avt-operator-'));
});
after(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, categories, brands CASCADE');
  await t.pool.query('UPDATE ai_sources SET paused_until = NULL, pause_reason = NULL');
  await onlySources(t.pool, 'chatgpt', 'gemini');
});

const avt = (...args: string[]) => runBin('avt', args, { DATABASE_URL: t.url });

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A refusal: exit code 2, and its message alone on stderr. */
function assertRefused(result: { code: number | null; stderr: string }, message: RegExp) {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr.trim(), message);
}

async function statuses(): Promise<Record<string, string>> {
  const { rows } = await t.pool.query<{ id: string; status: string }>('SELECT id, status FROM prompt_runs');
  return Object.fromEntries(rows.map((row) => [row.id, row.status]));
}

describe('avt retry-dead', () => {
  test('queues again the dead runs the filters name, and only those, and says how many', async () => {
    const chatgptOld = await deadRun(t.pool, { source: 'chatgpt', text: 'old' });
    const chatgptNew = await deadRun(t.pool, { source: 'chatgpt', text: 'new' });
    const gemini = await deadRun(t.pool, { source: 'gemini' });
    await t.pool.query(`UPDATE prompt_runs SET finished_at = '2026-01-01Z' WHERE id = $1`, [chatgptOld]);

    const since = await avt('retry-dead', '--ai-source', 'chatgpt', '--since', '2026-02-01');
    assert.equal(since.code, 0, since.stderr);
    assert.equal(since.stdout.trim(), '1 dead run queued again');
    assert.equal((await statuses())[chatgptNew], 'queued');
    assert.equal((await statuses())[chatgptOld], 'dead');

    const all = await avt('retry-dead');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trim(), '2 dead runs queued again');
    const { rows } = await t.pool.query('SELECT status, attempts FROM prompt_runs WHERE id = ANY ($1)', [
      [chatgptOld, gemini],
    ]);
    assert.deepEqual(rows, [
      { status: 'queued', attempts: 0 },
      { status: 'queued', attempts: 0 },
    ]);
  });

  test('a bad time or an unknown source is refused in one line, and nothing is retried', async () => {
    const run = await deadRun(t.pool);
    assertRefused(
      await avt('retry-dead', '--since', 'yesterday'),
      /^avt: since must be an ISO 8601 timestamp .*got 'yesterday'$/,
    );
    assertRefused(
      await avt('retry-dead', '--ai-source', 'chatgtp'),
      /^avt: unknown AI source 'chatgtp'; known sources: chatgpt, claude, /,
    );
    assert.equal((await statuses())[run], 'dead');
  });
});

describe('avt pause', () => {
  test('pauses a source until a time with a reason, or until resumed', async () => {
    const until = new Date(Date.now() + 3_600_000);
    until.setUTCMilliseconds(0);
    const timed = await avt('pause', 'gemini', '--until', until.toISOString(), '--reason', 'quota');
    assert.equal(timed.code, 0, timed.stderr);
    assert.match(timed.stdout.trim(), /^gemini paused until \d{4}-/);
    const open = await avt('pause', 'chatgpt');
    assert.equal(open.code, 0, open.stderr);
    assert.equal(open.stdout.trim(), 'chatgpt paused until resumed');

    const { rows } = await t.pool.query(
      `SELECT name, paused_until::text = 'infinity' AS until_resumed, paused_until, pause_reason
       FROM ai_sources WHERE name IN ('chatgpt', 'gemini') ORDER BY name`,
    );
    assert.equal(rows[0].until_resumed, true);
    assert.equal(rows[0].pause_reason, null);
    assert.equal(rows[1].paused_until.getTime(), until.getTime());
    assert.equal(rows[1].pause_reason, 'quota');
  });

  test('a time in the past or an unknown source is refused in one line, and nothing is paused', async () => {
    assertRefused(
      await avt('pause', 'chatgpt', '--until', '2020-01-01'),
      /^avt: until \(2020-01-01\) is not in the future: leave it out to pause until resumed$/,
    );
    assertRefused(await avt('pause', 'gemnii'), /^avt: unknown AI source 'gemnii'; known sources: .*gemini/);
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM ai_sources WHERE paused_until IS NOT NULL',
    );
    assert.equal(rows[0].n, 0);
  });
});

describe('avt enqueue', () => {
  test('a CSV: the good rows are added and queued on each source, each bad row is reported by its line', async () => {
    const path = await file(
      'prompts.csv',
      [
        'text,category,priority',
        'best CRM for startups,CRM,5',
        'too,many,fields,here',
        '"a prompt over',
        'two lines",,',
        'bad priority,CRM,high',
        'no category,,',
      ].join('\n'),
    );
    const result = await avt('enqueue', '--file', path, '--category', 'General');
    assert.equal(result.code, SOME_ROWS_REFUSED, result.stderr);
    const refused = result.stderr.split('\n').filter((line) => line.startsWith(path));
    assert.deepEqual(refused, [
      `${path}:3: has 4 field(s), the header names 3 (text, category, priority)`,
      `${path}:6: priority must be a whole number from -2147483648 to 2147483647, got "high"`,
    ]);
    assert.equal(result.stdout.trim(), '3 prompts added; 2 rows refused (above)');

    const { rows } = await t.pool.query(
      `SELECT p.text, c.name AS category, p.priority, (SELECT count(*)::int FROM prompt_runs r
         WHERE r.prompt_id = p.id AND r.status = 'queued') AS runs
       FROM prompts p LEFT JOIN categories c ON c.id = p.category_id ORDER BY p.text`,
    );
    assert.deepEqual(rows, [
      { text: 'a prompt over\ntwo lines', category: 'General', priority: 0, runs: 2 },
      { text: 'best CRM for startups', category: 'CRM', priority: 5, runs: 2 },
      { text: 'no category', category: 'General', priority: 0, runs: 2 },
    ]);
  });

  test('JSON Lines: objects and strings a line, numbered by line past blank ones, in chunks under a progress bar', async () => {
    // More than one chunk of 1,000, so the bar advances and every chunk lands in the same transaction.
    const good = Array.from({ length: 2_500 }, (_, i) =>
      JSON.stringify({ text: `prompt ${i}`, priority: 1 }),
    );
    const path = await file(
      'prompts.jsonl',
      ['"plain string"', '', '{"text": "broken', '{"txt": "typo"}', ...good, ''].join('\n'),
    );
    const result = await avt('enqueue', '--file', path);
    assert.equal(result.code, SOME_ROWS_REFUSED, result.stderr);
    assert.match(result.stderr, new RegExp(`^${path}:3: is not JSON: `, 'm'));
    assert.match(result.stderr, new RegExp(`^${path}:4: unknown field 'txt'; the fields are text, `, 'm'));
    assert.match(result.stderr, /adding prompts \[.*\] 2501\/2501/);
    assert.equal(result.stdout.trim(), '2501 prompts added; 2 rows refused (above)');
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS prompts, count(*) FILTER (WHERE priority = 1)::int AS prioritised,
              (SELECT count(*)::int FROM prompt_runs) AS runs FROM prompts`,
    );
    assert.deepEqual(rows[0], { prompts: 2_501, prioritised: 2_500, runs: 5_002 });
  });

  test('every row good: exit code 0', async () => {
    const path = await file('ok.json', JSON.stringify(['one', { text: 'two', category: 'CRM' }]));
    const result = await avt('enqueue', '--file', path);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '2 prompts added');
  });

  test('a file that cannot be read as a whole, or a bad option, is refused in one line and adds nothing', async () => {
    const unknownColumn = await file('colour.csv', 'text,colour\na,b\n');
    assertRefused(
      await avt('enqueue', '--file', unknownColumn),
      /^avt: line 1: unknown column 'colour'; the columns are text, category, priority, active$/,
    );
    const noExtension = await file('prompts.txt', 'a prompt\n');
    assertRefused(
      await avt('enqueue', '--file', noExtension),
      /^avt: cannot tell the format of '.*prompts\.txt': name it \.csv/,
    );
    assertRefused(
      await avt('enqueue', '--file', join(dir, 'missing.csv')),
      /^avt: cannot read '.*missing\.csv': ENOENT/,
    );
    assertRefused(await avt('enqueue'), /^avt: --file <file> is required/);
    const good = await file('good.csv', 'text\nfine\n');
    assertRefused(
      await avt('enqueue', '--file', good, '--category', '  '),
      /^avt: the default category is blank$/,
    );
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM prompts');
    assert.equal(rows[0].n, 0);
  });
});

describe('avt brands import', () => {
  test('upserts by name: a later file updates the brands it names and keeps the fields it leaves out', async () => {
    const csv = await file(
      'brands.csv',
      'name,aliases,domains,is_own\nAcme CRM,Acme;AcmeCRM,acme.com,true\nGlobex,,globex.io,false\n',
    );
    const first = await avt('brands', 'import', csv);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), '2 brands added or updated');

    const json = await file(
      'brands.json',
      JSON.stringify([
        { name: 'Acme CRM', aliases: ['Acme Inc'] },
        { name: 'Initech', domains: ['not a domain'] },
      ]),
    );
    const second = await avt('brands', 'import', json);
    assert.equal(second.code, SOME_ROWS_REFUSED, second.stderr);
    assert.equal(
      second.stderr.trim(),
      `${json}:2: domains: "not a domain" is not a bare domain such as example.com`,
    );
    assert.equal(second.stdout.trim(), '1 brand added or updated; 1 row refused (above)');

    const { rows } = await t.pool.query('SELECT name, aliases, domains, is_own FROM brands ORDER BY name');
    assert.deepEqual(rows, [
      { name: 'Acme CRM', aliases: ['Acme Inc'], domains: ['acme.com'], is_own: true },
      { name: 'Globex', aliases: [], domains: ['globex.io'], is_own: false },
    ]);
  });

  test('a file without a name column is refused in one line', async () => {
    const path = await file('brands.csv', 'aliases\nAcme\n');
    assertRefused(await avt('brands', 'import', path), /^avt: line 1: the header has no 'name' column/);
  });
});

test('each command teaches with examples in its --help', async () => {
  for (const command of [['retry-dead'], ['pause'], ['enqueue'], ['brands', 'import']]) {
    const help = await runBin('avt', [...command, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /\nExamples:\n {2}\$ avt /, command.join(' '));
  }
});
