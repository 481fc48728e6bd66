import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The parts of src/, from the ground floor up (docs/development.md): a part may import from its own floor
 * and the floors below, never from a floor above. `src/*.ts` files are on the ground floor with src/job.
 */
const FLOORS = [
  ['.', 'job'],
  ['db'],
  ['queue', 'observe'],
  ['browser'],
  ['platforms', 'extract'],
  ['tasks'],
  ['operations', 'doctor'],
  ['worker'],
  ['serve'],
  ['mock'],
  ['demo'],
  ['cli'],
];
const floorOf = new Map(FLOORS.flatMap((parts, floor) => parts.map((part) => [part, floor] as const)));

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The part of src/ a file belongs to: its first folder, or '.' for a file directly in src/. */
const partOf = (path: string) => {
  const [first, ...rest] = relative(src, path).split('/');
  return rest.length === 0 ? '.' : (first as string);
};

test('every part of src/ has a floor', () => {
  const parts = new Set([...sourceFiles(src)].map(partOf));
  assert.deepEqual(
    [...parts].filter((part) => !floorOf.has(part)),
    [],
  );
});

test('no import runs from a lower part of src/ to a higher one', () => {
  const upward: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = partOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = partOf(normalize(join(dirname(file), specifier as string)));
      if ((floorOf.get(to) ?? 0) > (floorOf.get(from) ?? 0)) {
        upward.push(`${relative(src, file)} imports ${specifier} (${from} → ${to})`);
      }
    }
  }
  assert.deepEqual(upward, []);
});
