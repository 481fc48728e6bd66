import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/operations/errors.ts';
import { parseRows, type RowShape } from '../../src/operations/parseRows.ts';

const PROMPTS: RowShape = {
  columns: ['text', 'category', 'priority'],
  required: 'text',
  plainString: 'text',
};
const BRANDS: RowShape = { columns: ['name', 'aliases'], required: 'name' };

describe('parseRows: JSON', () => {
  test('numbers rows from 1; strings fill the plain field; null is "not given"; bad rows are errors of their own', () => {
    const parsed = parseRows(
      JSON.stringify([
        'plain',
        { text: 'object', category: null, priority: 3 },
        42,
        { txt: 'typo' },
        [],
        'last',
      ]),
      'json',
      PROMPTS,
    );
    assert.deepEqual(parsed.rows, [
      { row: 1, fields: { text: 'plain' } },
      { row: 2, fields: { text: 'object', priority: 3 } },
      { row: 6, fields: { text: 'last' } },
    ]);
    assert.deepEqual(
      parsed.errors.map((error) => error.row),
      [3, 4, 5],
    );
    assert.match(
      parsed.errors.find((e) => e.row === 4)?.message ?? '',
      /unknown field 'txt'; the fields are text, category, priority/,
    );
    assert.match(
      parsed.errors.find((e) => e.row === 3)?.message ?? '',
      /must be an object with text, category, priority, or a string, got 42/,
    );
  });

  test('a bare string is refused where the shape has no plain field', () => {
    const parsed = parseRows('["Acme"]', 'json', BRANDS);
    assert.deepEqual(parsed.rows, []);
    assert.match(parsed.errors[0]?.message ?? '', /must be an object with name, aliases, got "Acme"/);
  });

  test('a body that is not a JSON array is refused whole, saying why', () => {
    assert.throws(() => parseRows('{"text": "x"}', 'json', PROMPTS), {
      name: 'InvalidInputError',
      message: 'expected a JSON array of rows, got object',
    });
    assert.throws(
      () => parseRows('[1,', 'json', PROMPTS),
      (error) => {
        assert.ok(error instanceof InvalidInputError);
        assert.match(error.message, /^the body is not JSON: /);
        return true;
      },
    );
    assert.throws(() => parseRows('[]', 'json', PROMPTS), { message: 'no rows: the array is empty' });
  });
});

describe('parseRows: CSV', () => {
  test('a row is numbered by the line it starts on, the header being line 1, past quoted line breaks and blank lines', () => {
    const csv = ['text,category', '"two\nlines",CRM', '', 'plain,', '"crlf\r\ninside",x', 'after,y'].join(
      '\r\n',
    );
    const parsed = parseRows(csv, 'csv', PROMPTS);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.rows, [
      { row: 2, fields: { text: 'two\nlines', category: 'CRM' } },
      { row: 5, fields: { text: 'plain' } },
      { row: 6, fields: { text: 'crlf\r\ninside', category: 'x' } },
      { row: 8, fields: { text: 'after', category: 'y' } },
    ]);
  });

  test('header names are trimmed and case-blind; a byte order mark is dropped; multibyte text keeps the count', () => {
    const parsed = parseRows('\uFEFF Text ,CATEGORY\nÉtoile 😀,\n"x\ny",z\nlast,\n', 'csv', PROMPTS);
    assert.deepEqual(
      parsed.rows.map((row) => [row.row, row.fields.text]),
      [
        [2, 'Étoile 😀'],
        [3, 'x\ny'],
        [5, 'last'],
      ],
    );
  });

  test('a row with more or fewer fields than the header is an error of its own', () => {
    const parsed = parseRows('text,category\nok,a\ntoo,many,fields\nfew\nalso ok,b\n', 'csv', PROMPTS);
    assert.deepEqual(
      parsed.rows.map((row) => row.row),
      [2, 5],
    );
    assert.deepEqual(parsed.errors, [
      { row: 3, message: 'has 3 field(s), the header names 2 (text, category)' },
      { row: 4, message: 'has 1 field(s), the header names 2 (text, category)' },
    ]);
  });

  test('an unknown, unnamed, repeated or missing column, a broken quote and no rows are refused whole', () => {
    const refusals: [string, RegExp][] = [
      ['text,colour\na,b\n', /^line 1: unknown column 'colour'; the columns are text, category, priority$/],
      ['text,,category\na,b,c\n', /^line 1: column 2 of the header has no name$/],
      ['text,Text\na,b\n', /^line 1: the column 'text' appears twice$/],
      ['category\nCRM\n', /^line 1: the header has no 'text' column/],
      ['text\n"open\n', /^the CSV cannot be read: .*[Qq]uote/],
      ['text\n', /^no rows: the CSV has a header line and nothing after it$/],
      ['', /^no rows: the CSV is empty/],
    ];
    for (const [csv, message] of refusals) {
      assert.throws(
        () => parseRows(csv, 'csv', PROMPTS),
        { name: 'InvalidInputError', message },
        JSON.stringify(csv),
      );
    }
  });
});

describe('parseRows: JSON Lines', () => {
  test('a row a line, numbered by its line past blank ones; a line that is not JSON is an error of its own', () => {
    const text = [
      '\uFEFF"plain"',
      '',
      '{"text": "object", "category": null}',
      '{"text": "broken',
      '  ',
      '42',
      '{"txt": 1}',
      '"crlf"\r',
      '',
    ].join('\n');
    const parsed = parseRows(text, 'jsonl', PROMPTS);
    assert.equal(parsed.format, 'json');
    assert.deepEqual(parsed.rows, [
      { row: 1, fields: { text: 'plain' } },
      { row: 3, fields: { text: 'object' } },
      { row: 8, fields: { text: 'crlf' } },
    ]);
    assert.deepEqual(
      parsed.errors.map((error) => error.row),
      [4, 6, 7],
    );
    assert.match(parsed.errors[0]?.message ?? '', /^is not JSON: /);
    assert.match(
      parsed.errors[1]?.message ?? '',
      /must be an object with text, category, priority, or a string, got 42/,
    );
    assert.match(parsed.errors[2]?.message ?? '', /unknown field 'txt'/);
  });

  test('an array on a line is one bad row, not many rows; a text with no rows is refused whole', () => {
    const parsed = parseRows('["a", "b"]\n"c"\n', 'jsonl', PROMPTS);
    assert.deepEqual(parsed.rows, [{ row: 2, fields: { text: 'c' } }]);
    assert.deepEqual(
      parsed.errors.map((error) => error.row),
      [1],
    );
    assert.throws(() => parseRows('\n \r\n', 'jsonl', PROMPTS), {
      name: 'InvalidInputError',
      message: 'no rows: the JSON Lines text is empty; write one row a line',
    });
  });
});
