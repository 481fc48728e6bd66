import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type CliResult, runBin } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'avt-extract-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const brands = file(
  'brands.json',
  JSON.stringify([
    { name: 'HubSpot', aliases: ['HubSpot CRM'], domains: ['hubspot.com'] },
    { name: 'Pipedrive', domains: ['pipedrive.com'] },
    { name: 'Act!' },
  ]),
);

/** `avt extract` with the answer on stdin. */
function extract(args: string[], input: string): Promise<CliResult> {
  return runBin('avt', ['extract', ...args], {}, input);
}

describe('avt extract', { concurrency: 3 }, () => {
  test('prints the mentions and citations of a text answer as pretty JSON', async () => {
    const result = await extract(
      ['--brands', brands],
      "Act! is dated. HubSpot CRM's free tier beats Pipedrive (https://www.pipedrive.com/pricing#:~:text=Essential%20plan). HubSpot again.\n",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^\{\n {2}"mentions": \[/);
    assert.deepEqual(JSON.parse(result.stdout), {
      mentions: [
        { brand: 'Act!', position: 1, count: 1, snippet: 'Act! is dated.' },
        {
          brand: 'HubSpot',
          position: 2,
          count: 2,
          snippet:
            "HubSpot CRM's free tier beats Pipedrive (https://www.pipedrive.com/pricing#:~:text=Essential%20plan).",
        },
        {
          brand: 'Pipedrive',
          position: 3,
          count: 1,
          snippet:
            "HubSpot CRM's free tier beats Pipedrive (https://www.pipedrive.com/pricing#:~:text=Essential%20plan).",
        },
      ],
      citations: [
        {
          position: 1,
          url: 'https://www.pipedrive.com/pricing#:~:text=Essential%20plan',
          domain: 'pipedrive.com',
          title: null,
          brand: 'Pipedrive',
          quote: 'Essential plan',
        },
      ],
    });
  });

  test('--html reads the text and the links of an HTML answer', async () => {
    const result = await extract(
      ['--brands', brands, '--html'],
      '<p><b>Pipedrive</b> wins <a href="https://blog.hubspot.com/x">a HubSpot post</a>.</p><p>Then HubSpot.</p>',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      mentions: [
        { brand: 'Pipedrive', position: 1, count: 1, snippet: 'Pipedrive wins a HubSpot post.' },
        { brand: 'HubSpot', position: 2, count: 2, snippet: 'Pipedrive wins a HubSpot post.' },
      ],
      citations: [
        {
          position: 1,
          url: 'https://blog.hubspot.com/x',
          domain: 'blog.hubspot.com',
          title: 'a HubSpot post',
          brand: 'HubSpot',
          quote: null,
        },
      ],
    });
  });

  test('an answer that names no tracked brand: empty lists', async () => {
    const result = await extract(['--brands', brands], 'Use a spreadsheet.');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { mentions: [], citations: [] });
  });

  test('--help explains the input and shows an example', async () => {
    const result = await runBin('avt', ['extract', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--brands <file>/);
    assert.match(result.stdout, /--html/);
    assert.match(result.stdout, /stdin/);
    assert.match(result.stdout, /Example:\n.*avt extract --brands brands\.json/s);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no --brands', [], /^avt: --brands <file> is required/],
    [
      'a missing brands file',
      ['--brands', join(dir, 'nope.json')],
      /^avt: cannot read the brands file .*nope\.json/,
    ],
    [
      'a brands file that is not JSON',
      ['--brands', file('bad.json', '{ nope')],
      /^avt: the brands file .* is not JSON/,
    ],
    [
      'a brands file of the wrong shape',
      ['--brands', file('shape.json', '[{"aliases": ["x"]}]')],
      /^avt: the brands file .* must be a JSON array of \{ name, aliases\?, domains\? \}: 0\.name: /,
    ],
    ['empty stdin', ['--brands', brands], /^avt: no answer on stdin/],
  ];
  for (const [what, args, message] of usageErrors) {
    test(`${what}: one line on stderr, exit 2`, async () => {
      const result = await runBin('avt', ['extract', ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
    });
  }

  test('blank stdin is an empty answer too', async () => {
    const result = await extract(['--brands', brands], '  \n\n');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^avt: no answer on stdin/);
  });
});
