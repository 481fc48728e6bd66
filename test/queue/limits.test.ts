import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { type ClaimedRun, commitResult } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrompts, answer, claim, onlySources } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.pool.query('TRUNCATE prompts, prompt_runs, run_attempts, responses');
  await t.pool.query(
    `UPDATE ai_sources SET enabled = true, max_concurrency = NULL, min_interval_ms = 0, paused_until = NULL,
       last_claimed_at = NULL, lease_seconds = 300`,
  );
  await onlySources(t.pool, 'chatgpt');
});

async function liveLeases(): Promise<number> {
  const { rows } = await t.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM prompt_runs
     WHERE ai_source = 'chatgpt' AND status = 'running' AND locked_until > now()`,
  );
  return rows[0]?.n ?? -1;
}

describe('per-source limits', () => {
  test('max_concurrency = 2 is never exceeded by 8 claimers racing on separate connections', async () => {
    await t.pool.query(`UPDATE ai_sources SET max_concurrency = 2 WHERE name = 'chatgpt'`);
    await addPrompts(
      t.pool,
      Array.from({ length: 80 }, (_, i) => `prompt ${i}`),
    );
    const clients = Array.from({ length: 8 }, () => new pg.Client({ connectionString: t.url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      let held: ClaimedRun[] = [];
      let claims = 0;
      for (let round = 0; round < 24; round++) {
        // Free 2, 1 or 0 slots: by finishing runs, or by letting a lease expire (it stops counting).
        if (round % 4 === 0) {
          for (const run of held) await commitResult(t.pool, run, answer());
          held = [];
        } else if (round % 4 === 1 && held.length > 0) {
          await commitResult(t.pool, held.shift() as ClaimedRun, answer());
        } else if (round % 4 === 3 && held.length > 0) {
          const expired = held.pop() as ClaimedRun;
          await t.pool.query(
            `UPDATE prompt_runs SET locked_until = now() - interval '1 second' WHERE id = $1`,
            [expired.runId],
          );
        }
        assert.equal(await liveLeases(), held.length);

        const results = await Promise.all(clients.map((c, i) => claim(c, { workerId: i + 1 })));
        const got = results.filter((r): r is ClaimedRun => r !== null);
        claims += got.length;
        const live = await liveLeases();
        assert.ok(live <= 2, `round ${round}: ${live} live leases`);
        assert.equal(
          held.length + got.length,
          2,
          `round ${round}: ${held.length} held, ${got.length} claimed`,
        );
        assert.equal(live, 2);
        assert.equal(new Set(got.map((r) => r.runId)).size, got.length, 'one run handed out twice');
        held.push(...got);
      }
      assert.ok(claims >= 24, `only ${claims} claims in 24 rounds`);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test('paused_until in the future stops claims; once it has passed, claims resume', async () => {
    await addPrompts(t.pool, ['waits out the pause']);
    await t.pool.query(
      `UPDATE ai_sources SET paused_until = now() + interval '1 hour', pause_reason = 'captcha wall'
       WHERE name = 'chatgpt'`,
    );
    assert.equal(await claim(t.pool), null, 'claimed from a paused source');
    assert.equal(await claim(t.pool, { now: `now() + interval '59 minutes'` }), null);
    assert.ok(await claim(t.pool, { now: `now() + interval '61 minutes'` }), 'no claim after the pause');

    await addPrompts(t.pool, ['after the pause']);
    await t.pool.query(
      `UPDATE ai_sources SET paused_until = now() - interval '1 second' WHERE name = 'chatgpt'`,
    );
    const run = await claim(t.pool);
    assert.equal(run?.promptText, 'after the pause');
  });

  test('a disabled source hands out nothing; enabled again, it does', async () => {
    await addPrompts(t.pool, ['waits for its source']);
    await t.pool.query(`UPDATE ai_sources SET enabled = false WHERE name = 'chatgpt'`);
    assert.equal(await claim(t.pool), null, 'claimed from a disabled source');
    assert.equal(await claim(t.pool, { now: `now() + interval '1 day'` }), null);
    await t.pool.query(`UPDATE ai_sources SET enabled = true WHERE name = 'chatgpt'`);
    assert.equal((await claim(t.pool))?.promptText, 'waits for its source');
  });

  test('min_interval_ms spaces claims across all workers', async () => {
    await t.pool.query(`UPDATE ai_sources SET min_interval_ms = 60000 WHERE name = 'chatgpt'`);
    await addPrompts(t.pool, ['one', 'two', 'three', 'four']);
    const { rows } = await t.pool.query<{ t0: string }>('SELECT now()::text AS t0');
    const at = (offset: string) => `'${rows[0]?.t0}'::timestamptz + interval '${offset}'`;

    assert.ok(await claim(t.pool, { workerId: 1, now: at('0 s') }), 'first claim');
    assert.equal(await claim(t.pool, { workerId: 2, now: at('0 s') }), null, 'same instant');
    assert.equal(await claim(t.pool, { workerId: 3, now: at('30 s') }), null, '30 s later');
    assert.equal(await claim(t.pool, { workerId: 4, now: at('59.999999 s') }), null, '1 µs short');
    assert.ok(await claim(t.pool, { workerId: 5, now: at('60 s') }), 'a full interval later');
    assert.equal(await claim(t.pool, { workerId: 6, now: at('119 s') }), null, 'the interval restarts');
    assert.ok(await claim(t.pool, { workerId: 7, now: at('120 s') }));
    const { rows: queued } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM prompt_runs WHERE status = 'queued'`,
    );
    assert.equal(queued[0]?.n, 1, 'refused claims must leave the runs queued');
  });

  test('claims come in order: highest priority, then oldest run_after, then id', async () => {
    const names = ['low-old', 'high-new', 'high-old-1', 'high-old-2', 'lowest-oldest', 'zero-new'];
    const priorities = [0, 5, 5, 5, -1, 0];
    const ago = ['3 minutes', '1 minute', '2 minutes', '2 minutes', '10 minutes', '1 minute'];
    const runIds: Record<string, string> = {};
    // Insert in reverse so that neither insertion order nor the (random) prompt id explains the result.
    for (let i = names.length - 1; i >= 0; i--) {
      const [promptId] = await addPrompts(t.pool, [names[i] as string], priorities[i]);
      const { rows } = await t.pool.query<{ id: string }>(
        `UPDATE prompt_runs SET run_after = date_trunc('second', now()) - $2::interval WHERE prompt_id = $1
         RETURNING id`,
        [promptId, ago[i]],
      );
      runIds[names[i] as string] = rows[0]?.id as string;
    }
    // high-old-1 and high-old-2 tie on (priority, run_after): the smaller id goes first.
    const [tieA, tieB] = [runIds['high-old-1'], runIds['high-old-2']].sort((x, y) => Number(x) - Number(y));
    const claimed: string[] = [];
    for (;;) {
      const run = await claim(t.pool);
      if (!run) break;
      claimed.push(run.runId);
    }
    assert.deepEqual(claimed, [
      tieA,
      tieB,
      runIds['high-new'],
      runIds['low-old'],
      runIds['zero-new'],
      runIds['lowest-oldest'],
    ]);
  });
});
