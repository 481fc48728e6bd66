import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { workerIdFromHostname } from '../../src/worker/workerId.ts';
import { runBin } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('worker configuration mistakes print one line and exit 2', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => {
    await t.drop();
  });

  const oneLine = (stderr: string) => stderr.trim().split('\n');

  test('an unknown source lists the known ones', async () => {
    const run = await runBin('worker', ['--ai-source', 'chatgtp', '--worker-id', '1'], {
      DATABASE_URL: t.url,
    });
    assert.equal(run.code, 2);
    assert.deepEqual(oneLine(run.stderr), [
      "worker: unknown AI source 'chatgtp'; known sources: chatgpt, claude, copilot, gemini, google_ai_overview, perplexity",
    ]);
  });

  test('a concurrency that is not a number says so', async () => {
    const run = await runBin('worker', [
      '--ai-source',
      'chatgpt',
      '--worker-id',
      '1',
      '--concurrency',
      'lots',
    ]);
    assert.equal(run.code, 2);
    assert.equal(oneLine(run.stderr).length, 1);
    assert.match(
      run.stderr,
      /--concurrency <n>' argument 'lots' is invalid\. must be a whole number from 1 to 256/,
    );
  });

  test('RETENTION_MONTHS below one month is refused before anything is dropped', async () => {
    const run = await runBin('worker', ['--ai-source', 'chatgpt', '--worker-id', '1'], {
      RETENTION_MONTHS: '0',
    });
    assert.equal(run.code, 2);
    assert.equal(oneLine(run.stderr).length, 1);
    assert.match(run.stderr, /--retention-months <n>.*must be a whole number from 1 to 1200, got '0'/);
  });

  test('the same mistake through the environment variable', async () => {
    const run = await runBin('worker', ['--ai-source', 'chatgpt', '--worker-id', '1'], {
      WORKER_CONCURRENCY: '0',
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /must be a whole number from 1 to 256, got '0'/);
  });

  test('an unreachable database names host and port, after retrying', async () => {
    const run = await runBin(
      'worker',
      ['--ai-source', 'chatgpt', '--worker-id', '1', '--connect-timeout-seconds', '1'],
      {
        DATABASE_URL: 'postgres://avt:hunter2@127.0.0.1:1/avt',
      },
    );
    assert.equal(run.code, 2);
    assert.equal(oneLine(run.stderr).length, 1);
    assert.match(run.stderr, /cannot reach the database at 127\.0\.0\.1:1 after 1 s/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/, 'the password never appears');
  });

  test('a missing --ai-source says how to give one', async () => {
    const run = await runBin('worker', ['--worker-id', '1']);
    assert.equal(run.code, 2);
    assert.deepEqual(oneLine(run.stderr), [
      'worker: --ai-source (or AI_SOURCE) is required, e.g. --ai-source chatgpt',
    ]);
  });

  test('an unknown option is refused', async () => {
    const run = await runBin('worker', ['--ai-source', 'chatgpt', '--worker-id', '1', '--concurrancy', '2']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option '--concurrancy'/);
  });

  test('without --worker-id or WORKER_ID, a hostname without an ordinal is an error', async (context) => {
    if (workerIdFromHostname(hostname()) !== undefined) context.skip('this host has an ordinal');
    const run = await runBin('worker', ['--ai-source', 'chatgpt'], { WORKER_ID: undefined });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no worker id: pass --worker-id or set WORKER_ID/);
  });
});

test('the worker id comes from a StatefulSet hostname ordinal', () => {
  assert.equal(workerIdFromHostname('worker-chatgpt-2'), 2);
  assert.equal(workerIdFromHostname('worker-chatgpt-12'), 12);
  assert.equal(workerIdFromHostname('worker-chatgpt'), undefined);
  assert.equal(workerIdFromHostname('vm'), undefined);
});

test('--help explains every option, with its environment variable', async () => {
  const run = await runBin('worker', ['--help']);
  assert.equal(run.code, 0);
  for (const option of [
    '--ai-source',
    '--worker-id',
    '--concurrency',
    '--lease-seconds',
    '--shutdown-grace-seconds',
    '--metrics-port',
    '--once',
    '--max-jobs',
    '--browser',
    '--no-migrate',
    '--no-maintenance',
    '--log-level',
  ]) {
    assert.match(run.stdout, new RegExp(`${option}\\b`), option);
  }
  assert.match(run.stdout, /env: WORKER_CONCURRENCY/);
  const avt = await runBin('avt', ['worker', '--help']);
  assert.equal(avt.stdout.replace(/avt worker/g, 'worker'), run.stdout);
});
