import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { listenForQueuedRuns } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { addPrompts } from '../helpers/queue.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.drop();
});

async function listenerPids(applicationName: string): Promise<number[]> {
  const { rows } = await t.pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [applicationName],
  );
  return rows.map((r) => r.pid);
}

describe('listenForQueuedRuns', () => {
  test('delivers the ai_source of new runs, and again after its connection is killed and re-established', async () => {
    const [promptId] = await addPrompts(t.pool, ['wake me']);
    const applicationName = `avt-listen-test-${randomBytes(3).toString('hex')}`;
    const received: string[] = [];
    let reconnects = 0;
    const wakeups = listenForQueuedRuns({
      connectionString: t.url,
      applicationName,
      onQueued: (source) => received.push(source),
      onReconnected: () => {
        reconnects++;
      },
      minRetryMs: 5,
      maxRetryMs: 50,
    });
    try {
      await wakeups.ready;
      const queue = (source: string) =>
        t.pool.query('INSERT INTO prompt_runs (prompt_id, ai_source) VALUES ($1, $2)', [promptId, source]);

      await queue('gemini');
      await waitFor(() => received.includes('gemini'), 5_000, 'the gemini wake-up');
      assert.deepEqual(received, ['gemini']);

      // Kill the LISTEN session twice: each time it must come back on its own and hear new work again.
      for (const source of ['perplexity', 'claude']) {
        const [pid, ...others] = await listenerPids(applicationName);
        assert.ok(pid, 'the LISTEN session is not in pg_stat_activity');
        assert.deepEqual(others, [], 'more than one LISTEN session');
        const before = reconnects;
        await t.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await waitFor(() => reconnects > before, 5_000, 'onReconnected');
        const [newPid] = await listenerPids(applicationName);
        assert.ok(newPid && newPid !== pid, 'no new LISTEN session');

        received.length = 0;
        await queue(source);
        await waitFor(() => received.includes(source), 5_000, `the ${source} wake-up after reconnecting`);
        assert.deepEqual(received, [source]);
      }
      assert.equal(reconnects, 2);
    } finally {
      await wakeups.close();
    }
    // close() ends the session for good: t.drop() fails on a leaked connection, and nothing reconnects.
    await waitFor(
      async () => (await listenerPids(applicationName)).length === 0,
      5_000,
      'the session to end',
    );
  });
});
