// Migration 0012 gives prompt_runs and run_attempts their own autovacuum thresholds (and run_attempts a
// fillfactor): over a database that the build before it migrated and filled with runs in every state, it
// keeps every row, the settings take, and the queue carries on (a queued run is claimed and committed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { migrate } from '../../src/db/migrate.ts';
import { commitResult } from '../../src/queue/commitResult.ts';
import { everyRow } from '../helpers/db.ts';
import { commitAnswer } from '../helpers/logins.ts';
import { migratedByBuildBefore } from '../helpers/previousBuild.ts';
import { addPrompts, claim, onlySources } from '../helpers/queue.ts';
import { deadRun } from '../operations/fixtures.ts';

const QUEUE_SETTINGS = [
  'autovacuum_vacuum_scale_factor=0',
  'autovacuum_vacuum_threshold=5000',
  'autovacuum_vacuum_insert_scale_factor=0',
  'autovacuum_vacuum_insert_threshold=50000',
];

describe('migration 0012 (queue vacuum settings) on a database with rows in place', () => {
  const database = migratedByBuildBefore('migrations/0012_queue_vacuum_settings.sql');

  async function storageSettings(): Promise<Record<string, string[]>> {
    const { rows } = await database().pool.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class
       WHERE relname IN ('prompt_runs', 'run_attempts') AND relnamespace = 'public'::regnamespace`,
    );
    return Object.fromEntries(rows.map((row) => [row.relname, [...(row.reloptions ?? [])].sort()]));
  }

  test('keeps every row, sets both tables, and the queue goes on', { timeout: 120_000 }, async () => {
    const old = database();
    assert.deepEqual(await storageSettings(), { prompt_runs: [], run_attempts: [] });

    // Runs in every state a live queue has: done (with its answer), dead, running, queued.
    await old.pool.query(`INSERT INTO brands (name, domains) VALUES ('HubSpot', '{hubspot.com}')`);
    await onlySources(old.pool, 'chatgpt');
    for (let i = 0; i < 3; i++) await commitAnswer(old);
    await deadRun(old.pool);
    await addPrompts(
      old.pool,
      Array.from({ length: 20 }, (_, i) => `Which CRM for team ${i}?`),
    );
    assert.ok(await claim(old.pool), 'a run is left running');
    const before = await everyRow(old.pool);
    assert.match(before.prompt_runs ?? '', /^24 /);

    const result = await migrate(old.pool);
    assert.ok(result.applied.includes('0012_queue_vacuum_settings'), result.applied.join());
    assert.deepEqual(await everyRow(old.pool), before);
    assert.deepEqual(await storageSettings(), {
      prompt_runs: [...QUEUE_SETTINGS].sort(),
      run_attempts: [...QUEUE_SETTINGS, 'fillfactor=90'].sort(),
    });

    const run = await claim(old.pool);
    assert.ok(run, 'a queued run is claimed after the upgrade');
    await commitResult(old.pool, run, { response: { answerText: 'ok' }, mentions: [], citations: [] });
    const { rows } = await old.pool.query<{ status: string }>(
      'SELECT status FROM prompt_runs WHERE id = $1',
      [run.runId],
    );
    assert.equal(rows[0]?.status, 'done');
  });
});
