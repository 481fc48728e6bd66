import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateDbTypes } from '../../scripts/db-types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let dir: string;
before(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'avt-types-'));
});
after(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

test('src/db/schema.ts is what the migrations produce (run `npm run db:types` after changing a migration)', async () => {
  const out = join(dir, 'schema.ts');
  await generateDbTypes(t.url, out);
  const committed = await readFile(new URL('../../src/db/schema.ts', import.meta.url), 'utf8');
  assert.equal(await readFile(out, 'utf8'), committed);
});
