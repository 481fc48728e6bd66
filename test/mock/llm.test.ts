import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { extractionReplySchema, type LlmExtractionRequest } from '../../src/extract/llmProtocol.ts';
import { composeAnswer } from '../../src/mock/answer.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { FLAVOURS } from '../../src/mock/flavours/index.ts';
import { extractReply } from '../../src/mock/llm/extractReply.ts';
import { ALIAS_BODIES, BODIES, LEADS, possessive } from '../../src/mock/phrases.ts';
import { answerText } from '../../src/mock/render.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';
import type { LlmStats } from '../../src/mock/stats.ts';
import { binDir, runBin } from '../helpers/cli.ts';

const TRACKED = DEMO_BRANDS.slice(0, 4).map((b) => ({ name: b.name, aliases: b.aliases ?? [] }));
const TRACKED_NAMES = TRACKED.map((b) => b.name);

function extractionRequest(prompts: string[], seed = 1): LlmExtractionRequest {
  return {
    tracked_brands: TRACKED,
    answers: prompts.map((prompt, i) => ({
      id: `a${i}`,
      text: answerText(composeAnswer(prompt, seed, DEMO_BRANDS), FLAVOURS.chatgpt.markup),
    })),
  };
}

/** The parts of a chat completion or an OpenAI error the tests read. */
interface ReplyJson {
  object?: string;
  model?: string;
  choices?: { finish_reason: string; message: { role: string; content: string } }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  error?: { message: string; type: string; code: string | null };
  faults?: Record<string, number>;
}

/** POSTs a chat completion the way the worker's LLM client does. */
async function complete(
  baseUrl: string,
  body: unknown = extractionRequest(['best CRM for a bakery']),
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body:
      typeof body === 'string'
        ? body
        : JSON.stringify({
            model: 'gpt-test',
            messages: [
              { role: 'system', content: 'extract' },
              { role: 'user', content: JSON.stringify(body) },
            ],
          }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as ReplyJson };
}

async function setFaults(mock: MockPlatform, rates: unknown) {
  const response = await fetch(`${mock.llmBaseUrl}/_mock/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rates),
  });
  return { status: response.status, json: (await response.json()) as ReplyJson };
}

describe('the mock LLM extraction', () => {
  test('every answer template resolves to a sensible sentiment, and leads recommend', () => {
    const expected = {
      LEADS: LEADS.map(() => 'positive'),
      BODIES: ['positive', 'neutral', 'negative', 'positive', 'negative', 'neutral', 'negative'],
      ALIAS_BODIES: ['positive', 'positive'],
    };
    const templates = { LEADS, BODIES, ALIAS_BODIES };
    for (const [group, list] of Object.entries(templates)) {
      assert.equal(
        list.length,
        expected[group as keyof typeof expected].length,
        `${group}: update the table`,
      );
      list.forEach((template, i) => {
        // another brand comes first, so only the template's own cues can make HubSpot recommended
        const text = `Pipedrive is one choice.\n\n${template
          .replaceAll('**', '')
          .replace(/\{[BNA]\}/g, 'HubSpot')
          .replaceAll('{P}', possessive('HubSpot'))}`;
        const reply = extractReply({ tracked_brands: TRACKED, answers: [{ id: 'x', text }] }, DEMO_BRANDS);
        const mention = reply.answers[0]?.mentions.find((m) => m.brand === 'HubSpot');
        assert.equal(
          mention?.sentiment,
          expected[group as keyof typeof expected][i],
          `${group}[${i}]: ${text}`,
        );
        assert.equal(mention?.recommended, group === 'LEADS', `${group}[${i}] recommended`);
      });
    }
  });

  test('names by alias and possessive count; the first named of a recommending sentence is recommended', () => {
    const text =
      "Many people know Sales Cloud well. Act! is dated. If you are unsure, start with HubSpot CRM and compare it with Salesforce's plans.";
    const reply = extractReply({ tracked_brands: TRACKED, answers: [{ id: 'x', text }] }, DEMO_BRANDS);
    assert.deepEqual(reply.answers[0], {
      id: 'x',
      mentions: [
        { brand: 'Salesforce', sentiment: 'neutral', recommended: true },
        { brand: 'HubSpot', sentiment: 'neutral', recommended: true },
      ],
      other_brands: [{ name: 'Act!', sentiment: 'negative' }],
    });
  });
});

describe('POST /v1/chat/completions', () => {
  let mock: MockPlatform;
  before(async () => {
    mock = await startMockPlatform({ port: 0, llmLatencyMs: 0, seed: 1 });
  });
  after(async () => {
    await mock?.close();
  });

  test('extracts the composed answers: tracked brands in order, the others in other_brands', async () => {
    const prompts = [
      'best CRM for a bakery',
      'CRM for a law firm',
      'cheapest CRM',
      'CRM with good mobile app',
    ];
    const request = extractionRequest(prompts);
    const { status, json } = await complete(mock.llmBaseUrl, request);
    assert.equal(status, 200);
    assert.equal(json.object, 'chat.completion');
    assert.equal(json.model, 'gpt-test');
    const [choice] = json.choices ?? [];
    assert.equal(choice?.finish_reason, 'stop');
    assert.equal(choice?.message.role, 'assistant');
    const usage = json.usage;
    assert.ok(usage && usage.total_tokens === usage.prompt_tokens + usage.completion_tokens);
    const reply = extractionReplySchema.parse(JSON.parse(content(json)));
    assert.deepEqual(
      reply.answers.map((a) => a.id),
      request.answers.map((a) => a.id),
    );
    let trackedSeen = 0;
    let othersSeen = 0;
    prompts.forEach((prompt, i) => {
      const named = composeAnswer(prompt, 1, DEMO_BRANDS).brands;
      const answer = reply.answers[i];
      const tracked = named.filter((n) => TRACKED_NAMES.includes(n));
      const others = named.filter((n) => !TRACKED_NAMES.includes(n));
      assert.deepEqual(
        answer?.mentions.map((m) => m.brand),
        tracked,
        prompt,
      );
      assert.deepEqual(
        answer?.other_brands.map((o) => o.name),
        others,
        prompt,
      );
      // the answer's first brand is its top pick
      const top = answer?.mentions.find((m) => m.brand === named[0]);
      if (top) assert.equal(top.recommended, true, `${prompt}: ${named[0]} leads`);
      trackedSeen += tracked.length;
      othersSeen += others.length;
    });
    assert.ok(trackedSeen > 0 && othersSeen > 0, 'the prompts name tracked and untracked brands');
    assert.equal(mock.llmStats().answers, prompts.length);
  });

  test('a body that is not JSON, or without an extraction request, gets 400 in OpenAI error shape', async () => {
    const cases: unknown[] = [
      'not json',
      { messages: 'nope' },
      { model: 'm', messages: [{ role: 'system', content: 'hi' }] },
      { model: 'm', messages: [{ role: 'user', content: 'not json either' }] },
      { model: 'm', messages: [{ role: 'user', content: JSON.stringify({ answers: [] }) }] },
    ];
    for (const body of cases) {
      const response = await fetch(`${mock.llmBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      const json = (await response.json()) as { error: { message: string; type: string } };
      assert.equal(json.error.type, 'invalid_request_error');
      assert.ok(json.error.message.length > 0);
    }
  });
});

describe('the rate limit', () => {
  test('at most n accepted in 60 s; 429 with Retry-After until the oldest leaves the window', async (t) => {
    const start = Date.now();
    t.mock.timers.enable({ apis: ['Date'], now: start });
    const mock = await startMockPlatform({ port: 0, llmLatencyMs: 0, llmRatePerMin: 3 });
    try {
      const first = await Promise.all(Array.from({ length: 8 }, () => complete(mock.llmBaseUrl)));
      assert.equal(first.filter((r) => r.status === 200).length, 3);
      const limited = first.filter((r) => r.status === 429);
      assert.equal(limited.length, 5);
      for (const r of limited) {
        assert.equal(r.headers.get('retry-after'), '60');
        assert.equal(r.json.error?.type, 'rate_limit_exceeded');
        assert.equal(r.json.error?.code, 'rate_limit_exceeded');
      }

      t.mock.timers.tick(45_500);
      const later = await complete(mock.llmBaseUrl);
      assert.equal(later.status, 429);
      assert.equal(later.headers.get('retry-after'), '15', 'ceil(14.5 s)');

      t.mock.timers.tick(14_499);
      assert.equal((await complete(mock.llmBaseUrl)).status, 429);
      assert.equal((await complete(mock.llmBaseUrl)).headers.get('retry-after'), '1', 'at least 1');
      t.mock.timers.tick(1);
      const next = await Promise.all(Array.from({ length: 4 }, () => complete(mock.llmBaseUrl)));
      assert.deepEqual(next.map((r) => r.status).sort(), [200, 200, 200, 429]);

      const stats = mock.llmStats();
      assert.equal(stats.accepted, 6);
      assert.equal(stats.rate_limited, 5 + 1 + 2 + 1);
      assert.equal(stats.requests, 8 + 1 + 2 + 4);
      assert.equal(stats.accepted_at.length, 6);
      assert.deepEqual(stats.accepted_at, [
        start,
        start,
        start,
        start + 60_000,
        start + 60_000,
        start + 60_000,
      ]);
      assertWindow(stats, 3);
    } finally {
      await mock.close();
    }
  });

  test('POST /stats/reset empties the window too', async () => {
    const mock = await startMockPlatform({ port: 0, llmLatencyMs: 0, llmRatePerMin: 1 });
    try {
      assert.equal((await complete(mock.llmBaseUrl)).status, 200);
      assert.equal((await complete(mock.llmBaseUrl)).status, 429);
      await fetch(`${mock.url}/stats/reset`, { method: 'POST' });
      assert.equal((await complete(mock.llmBaseUrl)).status, 200);
    } finally {
      await mock.close();
    }
  });
});

/** No 60 s window holds more than `limit` of the accepted requests. */
function assertWindow(stats: LlmStats, limit: number) {
  const times = stats.accepted_at;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((at) => at >= (times[i] as number) && at < (times[i] as number) + 60_000);
    assert.ok(inWindow.length <= limit, `${inWindow.length} accepted within 60 s of ${times[i]}`);
  }
}

describe('faults', () => {
  let mock: MockPlatform;
  before(async () => {
    mock = await startMockPlatform({ port: 0, llmLatencyMs: 0, llmSlowMs: 300, seed: 4 });
  });
  after(async () => {
    await mock?.close();
  });

  test('500 is a server error in OpenAI error shape', async () => {
    assert.deepEqual(await setFaults(mock, { '500': 1 }), { status: 200, json: { faults: { '500': 1 } } });
    const { status, json } = await complete(mock.llmBaseUrl);
    assert.equal(status, 500);
    assert.equal(json.error?.type, 'server_error');
    assert.equal(mock.llmStats().faults['500'], 1);
  });

  test('malformed is a 200 whose content fails the schema: cut-short JSON, then JSON of the wrong shape', async () => {
    mock.setLlmFaults({ malformed: 1 });
    const contents: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { status, json } = await complete(mock.llmBaseUrl);
      assert.equal(status, 200);
      contents.push(content(json));
    }
    assert.throws(() => JSON.parse(contents[0] as string), SyntaxError);
    const shaped = JSON.parse(contents[1] as string);
    assert.equal(extractionReplySchema.safeParse(shaped).success, false);
    assert.equal(mock.llmStats().faults.malformed, 2);
  });

  test('slow takes llmSlowMs longer and then answers well', async () => {
    mock.setLlmFaults('slow=1');
    const started = performance.now();
    const { status, json } = await complete(mock.llmBaseUrl);
    assert.ok(performance.now() - started >= 290, 'the slow reply came early');
    assert.equal(status, 200);
    extractionReplySchema.parse(JSON.parse(content(json)));
    assert.equal(mock.llmStats().faults.slow, 1);
  });

  test('{} clears the faults; bad rates are refused with 400 and change nothing', async () => {
    mock.setLlmFaults({ '500': 1 });
    assert.equal((await setFaults(mock, { teapot: 1 })).status, 400);
    assert.equal((await setFaults(mock, { '500': 0.7, slow: 0.7 })).status, 400);
    assert.equal((await complete(mock.llmBaseUrl)).status, 500);
    assert.deepEqual(await setFaults(mock, {}), { status: 200, json: { faults: {} } });
    assert.equal((await complete(mock.llmBaseUrl)).status, 200);
    assert.throws(() => mock.setLlmFaults({ slow: 2 }), /rate must be a number from 0 to 1/);
  });

  test('rates draw the same faults in the same order for the same seed', async () => {
    const options = { port: 0, llmLatencyMs: 0, llmSlowMs: 0, seed: 9, llmFaults: 'malformed=0.3,500=0.3' };
    const [a, b] = await Promise.all([startMockPlatform(options), startMockPlatform(options)]);
    try {
      const statuses = async (m: MockPlatform) => {
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) {
          const { status, json } = await complete(m.llmBaseUrl);
          seen.push(
            status === 200 && extractionReplySchema.safeParse(safeJson(content(json))).success
              ? 'ok'
              : `${status}`,
          );
        }
        return seen;
      };
      const seen = await statuses(a);
      assert.deepEqual(seen, await statuses(b));
      const stats = a.llmStats();
      assert.equal(seen.filter((s) => s === '500').length, stats.faults['500']);
      assert.equal(seen.filter((s) => s === '200').length, stats.faults.malformed);
      assert.equal(seen.filter((s) => s === 'ok').length, stats.accepted);
      assert.ok(stats.faults['500'] > 0 && stats.faults.malformed > 0 && stats.accepted > 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('close() does not wait for a slow reply', async () => {
    const own = await startMockPlatform({ port: 0, llmFaults: { slow: 1 } });
    const pending = complete(own.llmBaseUrl).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await own.close();
    assert.ok(performance.now() - started < 1000);
    assert.ok((await pending) instanceof Error, 'the connection was dropped');
  });
});

function content(json: ReplyJson): string {
  return json.choices?.[0]?.message.content ?? '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

describe('stats and the API key', () => {
  test('GET /stats adds llm beside the flavours; POST /stats/reset clears it', async () => {
    const mock = await startMockPlatform({ port: 0, llmLatencyMs: 0, llmApiKey: 'sk-mock' });
    try {
      assert.equal((await complete(mock.llmBaseUrl)).status, 401);
      assert.equal(
        (await complete(mock.llmBaseUrl, undefined, { authorization: 'Bearer nope' })).status,
        401,
      );
      const ok = await complete(mock.llmBaseUrl, extractionRequest(['a', 'b']), {
        authorization: 'Bearer sk-mock',
      });
      assert.equal(ok.status, 200);
      const stats = (await (await fetch(`${mock.url}/stats`)).json()) as Record<string, unknown> & {
        llm: LlmStats;
      };
      assert.deepEqual(Object.keys(stats).sort(), [
        'chatgpt',
        'claude',
        'copilot',
        'gemini',
        'google',
        'llm',
        'perplexity',
      ]);
      assert.deepEqual(stats.llm, {
        requests: 3,
        accepted: 1,
        rate_limited: 0,
        invalid: 2,
        faults: { malformed: 0, '500': 0, slow: 0 },
        answers: 2,
        accepted_at: mock.llmStats().accepted_at,
      });
      assert.equal(stats.llm.accepted_at.length, 1);
      assert.equal((await fetch(`${mock.url}/stats/reset`, { method: 'POST' })).status, 200);
      assert.deepEqual(mock.llmStats(), {
        requests: 0,
        accepted: 0,
        rate_limited: 0,
        invalid: 0,
        faults: { malformed: 0, '500': 0, slow: 0 },
        answers: 0,
        accepted_at: [],
      });
    } finally {
      await mock.close();
    }
  });
});

describe('avt mock --llm-* flags', () => {
  test('set the rate limit, latency, faults and API key of the mock LLM', async () => {
    const child = spawn(
      `${binDir}avt`,
      [
        'mock',
        '--port',
        '0',
        '--llm-rate-per-min',
        '2',
        '--llm-latency-ms',
        '250',
        '--llm-faults',
        '500=1',
        '--llm-slow-ms',
        '10',
        '--llm-api-key',
        'sk-cli',
      ],
      { env: { ...process.env, LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, 'exit');
    try {
      let listening: { url: string; llm: { base_url: string; rate_per_min: number } } | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        const entry = JSON.parse(line);
        if (entry.event === 'mock:listening') {
          listening = entry;
          break;
        }
      }
      assert.ok(listening, `no mock:listening line; stderr: ${stderr}`);
      assert.equal(listening.llm.base_url, `${listening.url}/v1`);
      assert.equal(listening.llm.rate_per_min, 2);
      const auth = { authorization: 'Bearer sk-cli' };
      assert.equal((await complete(listening.llm.base_url)).status, 401);
      const started = performance.now();
      assert.equal((await complete(listening.llm.base_url, undefined, auth)).status, 500);
      assert.ok(performance.now() - started >= 240, '--llm-latency-ms');
      const cleared = await fetch(`${listening.url}/v1/_mock/faults`, { method: 'POST', body: '{}' });
      assert.equal(cleared.status, 200);
      assert.equal((await complete(listening.llm.base_url, undefined, auth)).status, 200);
      assert.equal((await complete(listening.llm.base_url, undefined, auth)).status, 429);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.deepEqual({ code, stderr }, { code: 0, stderr: '' });
  });

  test('bad values are refused with one line', async () => {
    const faults = await runBin('avt', ['mock', '--port', '0', '--llm-faults', 'teapot=0.1']);
    assert.equal(faults.code, 2);
    assert.match(
      faults.stderr.trim(),
      /^avt: unknown fault 'teapot' in --llm-faults; known: malformed, 500, slow$/,
    );
    const sum = await runBin('avt', ['mock', '--port', '0', '--llm-faults', '500=0.6,slow=0.6']);
    assert.equal(sum.code, 2);
    assert.match(sum.stderr.trim(), /^avt: --llm-faults rates add up to 1\.200/);
    const rate = await runBin('avt', ['mock', '--port', '0', '--llm-rate-per-min', '0']);
    assert.equal(rate.code, 2, 'a usage mistake in a subcommand exits 2, like every other');
    assert.match(rate.stderr, /--llm-rate-per-min <n>' argument '0' is invalid/);
  });
});
