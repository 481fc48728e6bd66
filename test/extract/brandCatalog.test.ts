// The brands a worker extracts against: re-read every 30 s, and kept when a re-read fails (the database
// restarting), so that answers captured during an outage are still extracted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { BrandCatalog } from '../../src/extract/brandCatalog.ts';
import { createTestDatabase } from '../helpers/db.ts';

test('a failed re-read keeps the last list; a failed first read fails', async (t) => {
  const db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {});
  try {
    await db.pool.query(
      `INSERT INTO brands (name, aliases, domains) VALUES ('Acme', '{}', '{acme.example}')`,
    );
    await client.connect();
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const catalog = new BrandCatalog(client);
    assert.deepEqual(
      (await catalog.get()).map((brand) => brand.name),
      ['Acme'],
    );

    await db.pool.query(
      `INSERT INTO brands (name, aliases, domains) VALUES ('Globex', '{}', '{globex.example}')`,
    );
    await db.pool.query('SELECT pg_terminate_backend($1)', [
      (client as unknown as { processID: number }).processID,
    ]);
    t.mock.timers.tick(31_000);
    assert.deepEqual(
      (await catalog.get()).map((brand) => brand.name),
      ['Acme'],
      'the re-read failed: the last list, not an error',
    );
    await assert.rejects(
      new BrandCatalog(client).get(),
      'a first read that fails has nothing to fall back on',
    );
  } finally {
    await client.end().catch(() => {});
    await db.drop();
  }
});
