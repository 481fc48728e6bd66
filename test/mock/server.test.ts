import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { composeAnswer } from '../../src/mock/answer.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { FLAVOURS } from '../../src/mock/flavours/index.ts';
import { renderAnswer } from '../../src/mock/render.ts';
import { type MockPlatform, startMockPlatform } from '../../src/mock/server.ts';

interface StreamEvent {
  t: string;
  html?: string;
  url?: string;
  panel?: string | null;
  at: number;
}

/** POSTs a prompt and collects the streamed lines, each with the time it arrived. */
async function ask(
  origin: string,
  flavour: string,
  prompt: string,
  until?: (events: StreamEvent[]) => boolean,
) {
  const started = performance.now();
  const response = await fetch(`${origin}/${flavour}/api/answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  const events: StreamEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line) events.push({ ...JSON.parse(line), at: performance.now() - started });
    if (until?.(events)) break;
  }
  return events;
}

describe('the answer stream', () => {
  let mock: MockPlatform;
  before(async () => {
    mock = await startMockPlatform({ port: 0, latencyMs: 240, seed: 5 });
  });
  after(async () => {
    await mock?.close();
  });

  test('arrives in 10+ chunks spread over the latency and ends with the whole answer, then done', async () => {
    const prompt = 'best CRM for a bakery';
    const events = await ask(mock.url, 'perplexity', prompt);
    const html = events.filter((e) => e.t === 'html');
    assert.ok(html.length >= 10, `only ${html.length} chunks`);
    assert.deepEqual(
      events.map((e) => e.t),
      [...html.map(() => 'html'), 'done'],
    );
    const done = events.at(-1) as StreamEvent;
    assert.ok(done.at >= 240 * 0.9, `the answer completed after ${done.at} ms`);
    // each chunk is timed after the one before, so load can only stretch the spread, never squeeze it
    assert.ok(done.at - (html[0] as StreamEvent).at >= 120, 'the chunks came all at once');
    const answer = composeAnswer(prompt, 5, DEMO_BRANDS, 'perplexity');
    assert.equal(html.at(-1)?.html, renderAnswer(answer, FLAVOURS.perplexity.markup));
    assert.match(done.panel ?? '', /href="https:\/\//, 'the sources panel comes with done');
    assert.equal(mock.stats().perplexity.completed, 1);
  });

  test('close() ends a hanging stream instead of waiting for it', async () => {
    const own = await startMockPlatform({ port: 0, latencyMs: 120 });
    const events = await ask(own.url, 'chatgpt', 'q [[fault:hang]]', (e) => e.length >= 6);
    assert.equal(events.length, 6);
    await own.close();
    assert.equal(own.stats().chatgpt.faults.hang, 1);
    assert.equal(own.stats().chatgpt.completed, 0);
  });
});

describe('samples: the server numbers the asks of each question per site', () => {
  /** The whole answer an ask streams (its last html line). */
  const answered = async (origin: string, flavour: string, prompt: string, body: object = {}) => {
    const response = await fetch(`${origin}/${flavour}/api/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, ...body }),
    });
    const lines = (await response.text()).trim().split('\n');
    return lines.map((line) => JSON.parse(line) as StreamEvent).findLast((e) => e.t === 'html')?.html;
  };
  const rendered = (
    flavour: 'chatgpt' | 'perplexity',
    prompt: string,
    index: number,
    seed = 5,
    sampleSeed = seed,
  ) =>
    renderAnswer(
      composeAnswer(prompt, seed, DEMO_BRANDS, flavour, { index, seed: sampleSeed }),
      FLAVOURS[flavour].markup,
    );
  const q1 = 'best CRM for a bakery';
  const q2 = 'cheapest CRM for dentists';
  // flavour, prompt, and which ask of that question on that flavour it is
  const asks = [
    ['chatgpt', q1, 0],
    ['chatgpt', q1, 1],
    ['perplexity', q1, 0],
    ['chatgpt', q2, 0],
    ['chatgpt', `${q1} [[fault:none]]`, 2],
    ['chatgpt', q1, 3],
  ] as const;

  test('the same seed and order of asks give the same answers: sample n of each question on each site', async () => {
    const [a, b] = await Promise.all([
      startMockPlatform({ port: 0, latencyMs: 0, seed: 5 }),
      startMockPlatform({ port: 0, latencyMs: 0, seed: 5 }),
    ]);
    try {
      for (const mock of [a, b]) {
        for (const [flavour, prompt, index] of asks) {
          assert.equal(
            await answered(mock.url, flavour, prompt),
            rendered(flavour, prompt, index),
            `${flavour} ${prompt}`,
          );
        }
      }
      const chatgptQ1 = new Set([0, 1, 2, 3].map((index) => rendered('chatgpt', q1, index)));
      assert.equal(chatgptQ1.size, 4, 'the four answers to one question differ');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a sample seed draws other samples; fixed sampling answers every ask with sample 0', async () => {
    const [resampled, fixed] = await Promise.all([
      startMockPlatform({ port: 0, latencyMs: 0, seed: 5, sampleSeed: 6 }),
      startMockPlatform({ port: 0, latencyMs: 0, seed: 5, sampling: 'fixed' }),
    ]);
    try {
      for (const [flavour, prompt, index] of asks) {
        assert.equal(await answered(resampled.url, flavour, prompt), rendered(flavour, prompt, index, 5, 6));
        assert.equal(await answered(fixed.url, flavour, prompt), rendered(flavour, prompt, 0));
      }
      assert.notEqual(rendered('chatgpt', q1, 0, 5, 6), rendered('chatgpt', q1, 0));
    } finally {
      await Promise.all([resampled.close(), fixed.close()]);
    }
  });

  test('google: each search is the next sample, and its page streams that same sample', async () => {
    const mock = await startMockPlatform({ port: 0, latencyMs: 0, seed: 5 });
    try {
      const configOf = async () => {
        const html = await (await fetch(`${mock.url}/google/search?q=${encodeURIComponent(q1)}`)).text();
        return JSON.parse(
          /<script type="application\/json" id="mock-config">(.*?)<\/script>/.exec(html)?.[1] ?? '{}',
        );
      };
      assert.equal((await configOf()).sample, 0);
      assert.equal((await configOf()).sample, 1);
      const second = composeAnswer(q1, 5, DEMO_BRANDS, 'google', { index: 1, seed: 5 });
      assert.equal(
        await answered(mock.url, 'google', q1, { sample: 1 }),
        renderAnswer(second, FLAVOURS.google.markup),
      );
      assert.equal((await configOf()).sample, 2, "streaming the page's sample is not another ask");
    } finally {
      await mock.close();
    }
  });
});

describe('faults drawn from --faults rates', () => {
  test('two mocks with the same seed give the same faults in the same order, and /stats counts them', async () => {
    const options = { port: 0, latencyMs: 0, seed: 21, faults: '429=0.3,login=0.2,blank=0.1' };
    const [a, b] = await Promise.all([startMockPlatform(options), startMockPlatform(options)]);
    try {
      const outcomes = async (origin: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 30; i++) {
          const [first] = await ask(origin, 'gemini', `prompt ${i}`);
          seen.push(first?.t === 'navigate' ? (first.url ?? '') : 'answer');
        }
        return seen;
      };
      const seenA = await outcomes(a.url);
      assert.deepEqual(seenA, await outcomes(b.url));
      const count = (part: string) => seenA.filter((s) => s.includes(part)).length;
      assert.ok(count('mock-fault/429') > 0 && count('accounts.google.com') > 0 && count('answer') > 0);
      const stats = (await (await fetch(`${a.url}/stats`)).json()) as Record<
        string,
        { answers: number; faults: Record<string, number> }
      >;
      assert.equal(stats.gemini?.answers, 30);
      assert.equal(stats.gemini?.faults['429'], count('mock-fault/429'));
      assert.equal(stats.gemini?.faults.login, count('accounts.google.com'));
      assert.equal(stats.gemini?.faults.blank, count('mock-fault/blank'));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('bookkeeping endpoints', () => {
  test('GET /requests keeps the last 200 requests; POST /stats/reset clears it and the counts', async () => {
    const mock = await startMockPlatform({ port: 0 });
    try {
      for (let i = 0; i < 205; i++) {
        await fetch(`${mock.url}/copilot/?n=${i}`, { headers: { cookie: `n=${i}`, via: '1.1 squid' } });
      }
      const requests = (await (await fetch(`${mock.url}/requests`)).json()) as {
        path: string;
        cookie: string;
        via: string;
        flavour: string;
      }[];
      assert.equal(requests.length, 200);
      assert.deepEqual(requests[0], {
        ...requests[0],
        path: '/copilot/?n=5',
        cookie: 'n=5',
        via: '1.1 squid',
        flavour: 'copilot',
      });
      assert.equal(mock.stats().copilot.pageLoads, 205);
      const reset = await fetch(`${mock.url}/stats/reset`, { method: 'POST' });
      assert.equal(reset.status, 200);
      assert.deepEqual(await (await fetch(`${mock.url}/requests`)).json(), []);
      assert.equal(mock.stats().copilot.pageLoads, 0);
    } finally {
      await mock.close();
    }
  });

  test('a bare prefix leads to the start page; an unknown path is a 404', async () => {
    const mock = await startMockPlatform({ port: 0 });
    try {
      const claude = await fetch(`${mock.url}/claude/`, { redirect: 'manual' });
      assert.equal(claude.status, 302);
      assert.equal(claude.headers.get('location'), '/claude/new');
      assert.equal((await fetch(`${mock.url}/nope/`)).status, 404);
      assert.equal((await fetch(`${mock.url}/chatgpt/nope`)).status, 404);
    } finally {
      await mock.close();
    }
  });
});
