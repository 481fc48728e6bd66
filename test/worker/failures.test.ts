import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, waitFor } from '../helpers/db.ts';
import { spawnWorker } from '../helpers/workerProcess.ts';

async function chatgptOnly(): Promise<TestDatabase> {
  const t = await createTestDatabase();
  await t.pool.query(
    `UPDATE ai_sources SET enabled = (name = 'chatgpt'), max_concurrency = NULL, max_attempts = 3`,
  );
  return t;
}

/** Runs one worker with --once over the prompts (claimed in the order given) and waits for exit 0. */
async function drain(
  t: TestDatabase,
  prompts: string[],
  env: Record<string, string> = {},
  extra: string[] = [],
) {
  await t.pool.query(
    'INSERT INTO prompts (text, priority) SELECT text, 1000 - ordinality FROM unnest($1::text[]) WITH ORDINALITY AS p (text)',
    [prompts],
  );
  const worker = spawnWorker(
    ['--ai-source', 'chatgpt', '--worker-id', '1', '--once', '--no-maintenance', ...extra],
    {
      DATABASE_URL: t.url,
      ...env,
    },
  );
  assert.equal(await worker.exited, 0, worker.stderr());
  return worker;
}

async function runState(t: TestDatabase, text: string) {
  const { rows } = await t.pool.query(
    `SELECT r.status, r.attempts, r.run_after > now() AS delayed, a.outcome, a.error_kind
     FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id
     JOIN run_attempts a ON a.run_id = r.id
     WHERE p.text = $1 ORDER BY a.id DESC LIMIT 1`,
    [text],
  );
  return rows[0];
}

async function alerts(t: TestDatabase): Promise<{ event: string; errorKind: string; text: string }[]> {
  const { rows } = await t.pool.query(
    `SELECT j.payload FROM graphile_worker._private_jobs j
     JOIN graphile_worker._private_tasks k ON k.id = j.task_id
     WHERE k.identifier = 'send_alert' ORDER BY j.id`,
  );
  return rows.map((row) => row.payload);
}

describe('each error class leads to its documented state', () => {
  test('retryable kinds re-queue with backoff; bad_input and selector_drift go dead at once with an alert', async () => {
    const t = await chatgptOnly();
    try {
      await drain(t, [
        'fail:timeout',
        'fail:navigation',
        'fail:browser_crash',
        'fail:unknown',
        'fail:bad_input',
        'fail:selector_drift',
      ]);
      for (const kind of ['timeout', 'navigation', 'browser_crash', 'unknown']) {
        assert.deepEqual(await runState(t, `fail:${kind}`), {
          status: 'queued',
          attempts: 1,
          delayed: true,
          outcome: 'retry',
          error_kind: kind,
        });
      }
      for (const kind of ['bad_input', 'selector_drift']) {
        assert.deepEqual(await runState(t, `fail:${kind}`), {
          status: 'dead',
          attempts: 1,
          delayed: false,
          outcome: 'dead',
          error_kind: kind,
        });
      }
      const sent = await alerts(t);
      assert.deepEqual(
        sent.map((a) => [a.event, a.errorKind]),
        [
          ['run_dead', 'bad_input'],
          ['run_dead', 'selector_drift'],
        ],
      );
      assert.match(sent[1]?.text ?? '', /selectors need an update/);
      const { rows } = await t.pool.query(`SELECT paused_until FROM ai_sources WHERE name = 'chatgpt'`);
      assert.equal(rows[0].paused_until, null, 'these kinds do not pause the source');
    } finally {
      await t.drop();
    }
  });

  test('a retryable run goes dead with an alert after max_attempts', async () => {
    const t = await chatgptOnly();
    try {
      await t.pool.query('UPDATE ai_sources SET backoff_base_seconds = 0, backoff_cap_seconds = 0');
      await drain(t, ['fail:timeout']);
      assert.deepEqual(await runState(t, 'fail:timeout'), {
        status: 'dead',
        attempts: 3,
        delayed: false,
        outcome: 'dead',
        error_kind: 'timeout',
      });
      assert.equal((await alerts(t)).length, 1);
    } finally {
      await t.drop();
    }
  });

  test('rate_limited: the run waits for Retry-After without spending an attempt, the source cools down for all', async () => {
    const t = await chatgptOnly();
    try {
      await drain(t, ['fail:rate_limited:120', 'not claimed while paused']);
      assert.deepEqual(await runState(t, 'fail:rate_limited:120'), {
        status: 'queued',
        attempts: 0,
        delayed: true,
        outcome: 'retry',
        error_kind: 'rate_limited',
      });
      const { rows } = await t.pool.query(
        `SELECT paused_until - now() BETWEEN interval '110 seconds' AND interval '121 seconds' AS cooled,
                pause_reason FROM ai_sources WHERE name = 'chatgpt'`,
      );
      assert.deepEqual(rows[0], { cooled: true, pause_reason: 'rate_limited: scripted rate_limited' });
      const { rows: waiting } = await t.pool.query(
        `SELECT r.status FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id WHERE p.text = 'not claimed while paused'`,
      );
      assert.deepEqual(waiting, [{ status: 'queued' }]);
      assert.equal((await alerts(t)).length, 0);
    } finally {
      await t.drop();
    }
  });

  test('captcha and login_required pause the source until a person resumes it, with an alert', async () => {
    for (const kind of ['captcha', 'login_required']) {
      const t = await chatgptOnly();
      try {
        await drain(t, [`fail:${kind}`, 'not claimed while paused']);
        const { rows } = await t.pool.query(
          `SELECT paused_until::text FROM ai_sources WHERE name = 'chatgpt'`,
        );
        assert.equal(rows[0].paused_until, 'infinity');
        assert.equal((await runState(t, `fail:${kind}`))?.attempts, 0);
        const sent = await alerts(t);
        assert.deepEqual(
          sent.map((a) => [a.event, a.errorKind]),
          [['source_paused', kind]],
        );
        assert.match(sent[0]?.text ?? '', /avt resume chatgpt/);
      } finally {
        await t.drop();
      }
    }
  });
});

describe('alerts', () => {
  test('send_alert POSTs a Slack-compatible body to ALERT_WEBHOOK_URL and is retried when the webhook fails', async () => {
    const bodies: { text: string; event: string }[] = [];
    let calls = 0;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        calls += 1;
        if (calls === 1) {
          response.writeHead(500).end('try again');
          return;
        }
        bodies.push(JSON.parse(body));
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const t = await chatgptOnly();
    try {
      await t.pool.query(`INSERT INTO prompts (text) VALUES ('fail:bad_input')`);
      const worker = spawnWorker(['--ai-source', 'chatgpt', '--worker-id', '1'], {
        DATABASE_URL: t.url,
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      });
      try {
        await waitFor(() => bodies.length > 0, 30_000, 'the alert to be delivered');
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.stderr());
      }
      assert.equal(calls, 2, 'the first (failed) delivery was retried once');
      assert.equal(bodies[0]?.event, 'run_dead');
      assert.match(bodies[0]?.text ?? '', /^\[chatgpt\] run \d+ is dead after 1 attempt\(s\): bad_input/);
    } finally {
      await t.drop();
      server.close();
    }
  });
});
