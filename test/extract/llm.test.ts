import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runMigrations } from 'graphile-worker';
import pino from 'pino';
import { createExtractor } from '../../src/extract/createExtractor.ts';
import { LLM_DEFAULTS, type LlmConfig } from '../../src/extract/llmConfig.ts';
import type { ExtractingJobHandler, JobHandler } from '../../src/job/handler.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { expectedCapture } from '../../src/mock/expectedCapture.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import { commitResult } from '../../src/queue/commitResult.ts';
import { reextractResponse } from '../../src/tasks/reextract.ts';
import { withExtraction } from '../../src/worker/extractingHandler.ts';
import { createJobHandler } from '../fixtures/mockAnswerHandler.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { addPrompts, claim, createTrackingDatabase, TRACKED_DEMO_BRANDS } from '../helpers/queue.ts';

const logger = pino({ level: 'silent' });
/** Freshsales, Close and Act!: left for the LLM to discover. */
const UNTRACKED = new Set(DEMO_BRANDS.slice(TRACKED_DEMO_BRANDS.length).map((b) => b.name));

let database: TestDatabase;
let mock: MockPlatform;
let answers: JobHandler;

function llmConfig(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    ...LLM_DEFAULTS,
    baseUrl: `${mock.url}/v1`,
    apiKey: undefined,
    ratePerMin: undefined,
    batchWaitMs: 0,
    ...overrides,
  };
}

/** Claims the run of a new prompt, answers it with the mock's answer, extracts and commits: a whole job. */
async function runJob(prompt: string, handler: ExtractingJobHandler): Promise<string> {
  await addPrompts(database.pool, [prompt]);
  const run = await claim(database.pool);
  assert.ok(run, 'a run to claim');
  const result = await handler.run({ run, signal: new AbortController().signal, logger });
  return commitResult(database.pool, run, result);
}

async function stored(responseId: string) {
  const response = await database.pool.query<{ extraction_method: string }>(
    'SELECT extraction_method FROM responses WHERE id = $1',
    [responseId],
  );
  const mentions = await database.pool.query<{
    brand_name: string;
    position: number;
    sentiment: string | null;
    recommended: boolean | null;
  }>(
    'SELECT brand_name, position, sentiment, recommended FROM brand_mentions WHERE response_id = $1 ORDER BY position',
    [responseId],
  );
  const discovered = await database.pool.query<{ name: string }>(
    'SELECT name FROM discovered_competitors WHERE response_id = $1 ORDER BY name',
    [responseId],
  );
  const jobs = await database.pool.query<{ payload: { response_id: string; captured_at: string } }>(
    `SELECT j.payload FROM graphile_worker._private_jobs j
     JOIN graphile_worker._private_tasks k ON k.id = j.task_id
     WHERE k.identifier = 'reextract' AND j.payload->>'response_id' = $1`,
    [responseId],
  );
  return {
    method: response.rows[0]?.extraction_method,
    mentions: mentions.rows,
    discovered: discovered.rows.map((r) => r.name),
    reextractJobs: jobs.rows.map((r) => r.payload),
  };
}

/** What the answer to `prompt` names, by construction of the mock (not by any extractor). */
function named(prompt: string) {
  const brands = expectedCapture('chatgpt', prompt).brands;
  return {
    tracked: brands.filter((b) => !UNTRACKED.has(b)),
    untracked: brands.filter((b) => UNTRACKED.has(b)).sort(),
  };
}

/** A prompt whose mock answer leads with a tracked brand and also names an untracked one. */
function promptNaming(tag: string): string {
  for (let i = 0; ; i += 1) {
    const prompt = `best CRM for ${tag} ${i}`;
    const leader = expectedCapture('chatgpt', prompt).brands[0] ?? '';
    if (!UNTRACKED.has(leader) && named(prompt).untracked.length > 0) return prompt;
  }
}

before(async () => {
  database = await createTrackingDatabase();
  await runMigrations({ pgPool: database.pool, logger: undefined });
  mock = await startMockPlatform({ port: 0, latencyMs: 0, llmLatencyMs: 0 });
  answers = await createJobHandler({ aiSource: 'chatgpt', workerId: 1, logger });
});

after(async () => {
  await mock?.close();
  await database?.drop();
});

beforeEach(() => {
  mock.setLlmFaults({});
  mock.resetStats();
});

describe('the LLM extractor against the mock LLM', () => {
  test('a valid reply is stored: rules positions, LLM sentiment and recommendations, discovered brands', async () => {
    const extraction = createExtractor(database.pool, llmConfig(), logger);
    const prompt = promptNaming('valid');
    const id = await runJob(prompt, withExtraction(answers, extraction.extractor));
    await extraction.close();

    const { tracked, untracked } = named(prompt);
    const row = await stored(id);
    assert.equal(row.method, 'llm');
    assert.deepEqual(
      row.mentions.map((m) => [m.brand_name, m.position]),
      tracked.map((name, index) => [name, index + 1]),
    );
    for (const mention of row.mentions) {
      assert.ok(
        ['positive', 'neutral', 'negative'].includes(mention.sentiment ?? ''),
        `${mention.brand_name}`,
      );
      assert.equal(typeof mention.recommended, 'boolean');
    }
    assert.equal(
      row.mentions[0]?.recommended,
      true,
      'the top pick (the answer leads with it) is recommended',
    );
    assert.deepEqual(row.discovered, untracked);
    assert.deepEqual(row.reextractJobs, []);
    assert.equal(mock.llmStats().accepted, 1);
  });

  test('a malformed reply is never trusted: rules stand in, reextract is queued, then applied once', async () => {
    const extraction = createExtractor(database.pool, llmConfig(), logger);
    mock.setLlmFaults({ malformed: 1 });
    const prompt = promptNaming('malformed');
    const id = await runJob(prompt, withExtraction(answers, extraction.extractor));

    const before = await stored(id);
    assert.equal(before.method, 'rules');
    assert.deepEqual(
      before.mentions.map((m) => [m.brand_name, m.sentiment]),
      named(prompt).tracked.map((name) => [name, null]),
      'the rules still record every mention',
    );
    assert.deepEqual(before.discovered, []);
    assert.equal(before.reextractJobs.length, 1, 'one reextract job, in the same transaction');
    const payload = before.reextractJobs[0] as { response_id: string; captured_at: string };
    assert.equal(String(payload.response_id), id);

    mock.setLlmFaults({});
    assert.equal(await reextractResponse(database.pool, extraction.extractor, payload), true);
    const after = await stored(id);
    assert.equal(after.method, 'llm');
    assert.deepEqual(
      after.mentions.map((m) => m.brand_name),
      named(prompt).tracked,
    );
    assert.ok(after.mentions.every((m) => m.sentiment !== null));
    assert.deepEqual(after.discovered, named(prompt).untracked);
    assert.equal(
      await reextractResponse(database.pool, extraction.extractor, payload),
      false,
      'a second run changes nothing',
    );
    await extraction.close();
  });

  test('the breaker opens after repeated failures, skips the LLM while open, and closes after a good trial', async () => {
    const extraction = createExtractor(
      database.pool,
      llmConfig({ breakerFailures: 2, breakerCooldownMs: 400, maxRetries: 0 }),
      logger,
    );
    const extract = (text: string) => extraction.extractor.extract({ text });
    mock.setLlmFaults({ '500': 1 });
    assert.equal((await extract('HubSpot is fine.')).method, 'rules');
    assert.equal((await extract('HubSpot is fine.')).method, 'rules');
    assert.equal(mock.llmStats().requests, 2);

    const whileOpen = await extract('HubSpot is fine.');
    assert.deepEqual([whileOpen.method, whileOpen.reextract], ['rules', true]);
    assert.equal(mock.llmStats().requests, 2, 'an open breaker does not call the LLM');

    mock.setLlmFaults({});
    await new Promise((resolve) => setTimeout(resolve, 450));
    const trial = await extract('HubSpot is fine.');
    assert.deepEqual([trial.method, trial.reextract], ['llm', false]);
    assert.equal((await extract('Pipedrive is fine.')).method, 'llm', 'closed again');
    assert.equal(mock.llmStats().requests, 4);
    await extraction.close();
  });

  test('a reply slower than LLM_TIMEOUT_MS is given up on: rules stand in, reextract is asked for', async () => {
    const extraction = createExtractor(database.pool, llmConfig({ timeoutMs: 300, maxRetries: 0 }), logger);
    mock.setLlmFaults({ slow: 1 });
    const started = performance.now();
    const outcome = await extraction.extractor.extract({ text: 'HubSpot is the safest pick.' });
    const took = performance.now() - started;
    assert.deepEqual([outcome.method, outcome.reextract], ['rules', true]);
    assert.deepEqual(
      outcome.mentions.map((m) => m.brandName),
      ['HubSpot'],
    );
    assert.ok(took >= 300 && took < 5_000, `gave up after ${took.toFixed(0)} ms`);
    await extraction.close();
  });

  test('a 429 is waited out for its Retry-After, not counted as a failure', async (t) => {
    // An endpoint that is busy once (Retry-After: 1), then answers through the mock LLM.
    let calls = 0;
    const server = createServer(async (request, response) => {
      calls += 1;
      const body = await new Promise<string>((resolve) => {
        let data = '';
        request.on('data', (chunk) => {
          data += chunk;
        });
        request.on('end', () => resolve(data));
      });
      if (calls === 1) {
        response.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end('{"error":{"message":"slow down","type":"rate_limit_exceeded"}}');
        return;
      }
      const upstream = await fetch(`${mock.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      response.writeHead(upstream.status, { 'content-type': 'application/json' });
      response.end(await upstream.text());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const extraction = createExtractor(
      database.pool,
      llmConfig({ baseUrl: `http://127.0.0.1:${port}/v1`, breakerFailures: 1, maxRetries: 2 }),
      logger,
    );
    const started = performance.now();
    const outcome = await extraction.extractor.extract({ text: 'Pipedrive is a strong option.' });
    const took = performance.now() - started;
    assert.deepEqual([outcome.method, outcome.reextract], ['llm', false]);
    assert.equal(calls, 2);
    assert.ok(took >= 1_000, `retried after ${took.toFixed(0)} ms, before Retry-After`);
    const again = await extraction.extractor.extract({ text: 'Pipedrive is a strong option.' });
    assert.equal(again.method, 'llm', 'a 429 did not open the breaker (it opens after one failure here)');
    await extraction.close();
  });

  test('answers waiting together share one request, and each gets its own extraction', async () => {
    const extraction = createExtractor(
      database.pool,
      llmConfig({ batchSize: 4, batchWaitMs: 2_000 }),
      logger,
    );
    const prompts = [0, 1, 2, 3].map((i) => `which CRM for team ${i}`);
    const outcomes = await Promise.all(
      prompts.map((prompt) =>
        extraction.extractor.extract({ text: expectedCapture('chatgpt', prompt).answerText }),
      ),
    );
    await extraction.close();
    assert.equal(mock.llmStats().requests, 1, 'four answers, one request (the batch filled before the wait)');
    assert.equal(mock.llmStats().answers, 4);
    outcomes.forEach((outcome, index) => {
      const { tracked, untracked } = named(prompts[index] as string);
      assert.equal(outcome.method, 'llm');
      assert.deepEqual(
        outcome.mentions.map((m) => m.brandName),
        tracked,
      );
      assert.deepEqual(outcome.discovered.map((d) => d.name).sort(), untracked);
    });
  });
});

describe('reserve_llm_slot: one rate limit across every connection', () => {
  test('concurrent reservations from many connections each get a slot of their own, evenly spaced', async () => {
    const perMinute = 600; // one slot per 100 ms
    const clock = async () =>
      (
        await database.pool.query<{ t: Date }>('SELECT clock_timestamp() AS t')
      ).rows[0]?.t.getTime() as number;
    const before = await clock();
    const waits = await Promise.all(
      Array.from({ length: 12 }, () =>
        database.pool
          .query<{ wait: number }>(`SELECT reserve_llm_slot('spacing-test', $1, 0) AS wait`, [perMinute])
          .then((r) => r.rows[0]?.wait as number),
      ),
    );
    const afterwards = await clock();
    const { rows } = await database.pool.query<{ next_at: Date }>(
      `SELECT next_at FROM llm_rate_limits WHERE name = 'spacing-test'`,
    );
    const nextAt = rows[0]?.next_at.getTime() as number;
    // Twelve slots, none shared: the next free slot is 12 × 100 ms after the first, which was taken between
    // `before` and `afterwards` (timestamps have 1 ms resolution here).
    assert.ok(nextAt - before >= 1_199, `next slot ${nextAt - before} ms after the start, expected ≥ 1200`);
    assert.ok(
      nextAt - afterwards <= 1_201,
      `next slot ${nextAt - afterwards} ms after the end, expected ≤ 1200`,
    );
    // A wait counts from when that reservation ran, which is somewhere between `before` and `afterwards`
    // however late its connection got to run: so the twelfth slot's holder waits until nextAt − 100 ms
    // from a moment in that window.
    const sorted = waits.sort((a, b) => a - b);
    assert.ok((sorted[0] as number) < 1, `the first slot is now, got ${sorted[0]} ms`);
    const last = sorted.at(-1) as number;
    const twelfth = nextAt - 100;
    assert.ok(
      last >= twelfth - afterwards - 1 && last <= twelfth - before + 1,
      `the last waits for slot 12: ${last} ms, expected ${twelfth - afterwards}–${twelfth - before} ms`,
    );
  });

  test('back-to-back reservations are spaced (60 s + margin) ÷ per_minute apart', async () => {
    const { rows } = await database.pool.query<{ wait: number }>(
      `SELECT reserve_llm_slot('margin-test', 30, 1000) AS wait FROM generate_series(1, 3)`,
    );
    const waits = rows.map((r) => r.wait);
    assert.ok(Math.abs((waits[1] as number) - 61_000 / 30) < 5, `second slot after ${waits[1]} ms`);
    assert.ok(Math.abs((waits[2] as number) - (2 * 61_000) / 30) < 5, `third slot after ${waits[2]} ms`);
  });

  test('a limit below 1 is refused with a clear error', async () => {
    await assert.rejects(
      database.pool.query(`SELECT reserve_llm_slot('bad', 0)`),
      /per_minute must be >= 1, got 0/,
    );
  });
});
