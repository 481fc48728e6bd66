import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ComposedAnswer, composeAnswer, questionProfile } from '../../src/mock/answer.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { expectedCapture } from '../../src/mock/expectedCapture.ts';
import { FaultDrawer, parseFaults } from '../../src/mock/faults.ts';
import { FLAVOUR_NAMES } from '../../src/mock/flavour.ts';
import { FLAVOURS } from '../../src/mock/flavours/index.ts';
import { DEFAULT_SEED } from '../../src/mock/options.ts';
import { answerText } from '../../src/mock/render.ts';
import { UsageError } from '../../src/usageError.ts';
import { crmPrompts } from './helpers.ts';

const TOPICS = [
  'startups',
  'a bakery',
  'real estate agents',
  'nonprofits',
  'agencies',
  'B2B SaaS',
  'a law firm',
  'dentists',
];
const PROMPTS = crmPrompts(TOPICS);

describe('answers are deterministic in the prompt and the seed', () => {
  test('the same prompt and seed give the same capture on every flavour', () => {
    for (const flavour of FLAVOUR_NAMES) {
      for (const prompt of PROMPTS.slice(0, 5)) {
        assert.deepEqual(
          expectedCapture(flavour, prompt, { seed: 42 }),
          expectedCapture(flavour, prompt, { seed: 42 }),
        );
      }
    }
  });

  test('different prompts name the brands in different orders', () => {
    const orders = PROMPTS.map((prompt) => composeAnswer(prompt, 1, DEMO_BRANDS).brands);
    assert.ok(
      new Set(orders.map((o) => o.join('|'))).size >= PROMPTS.length * 0.9,
      'orders repeat too often',
    );
    assert.ok(new Set(orders.map((o) => o[0])).size >= 6, 'the top pick hardly varies');
    assert.deepEqual(
      new Set(orders.flat()),
      new Set(DEMO_BRANDS.map((b) => b.name)),
      'some brand is never named',
    );
  });

  test('another seed gives another answer to the same prompt', () => {
    const changed = PROMPTS.filter(
      (prompt) =>
        expectedCapture('chatgpt', prompt, { seed: 1 }).answerText !==
        expectedCapture('chatgpt', prompt, { seed: 2 }).answerText,
    );
    assert.ok(changed.length >= PROMPTS.length * 0.9);
  });

  test('a fault marker does not change the answer it interrupts', () => {
    assert.deepEqual(
      expectedCapture('claude', 'best CRM for startups [[fault:half]]'),
      expectedCapture('claude', 'best CRM for startups'),
    );
  });
});

describe('samples differ, as real answers do', () => {
  const prompt = 'best CRM for a five-person startup';
  /** Samples 0..count-1 of `question` on `site`, as a mock with these seeds answers its asks in turn. */
  const samples = (question: string, site: string, count: number, seed = 1, sampleSeed = seed) =>
    Array.from({ length: count }, (_, index) =>
      composeAnswer(question, seed, DEMO_BRANDS, site, { index, seed: sampleSeed }),
    );
  const shareOf = (answers: ComposedAnswer[], name: string) =>
    answers.filter((a) => a.brands.includes(name)).length / answers.length;

  test('the same seeds give the same sequence of samples; sample 0 is the default', () => {
    assert.deepEqual(samples(prompt, 'claude', 20, 4), samples(prompt, 'claude', 20, 4));
    assert.deepEqual(samples(prompt, 'claude', 1, 4)[0], composeAnswer(prompt, 4, DEMO_BRANDS, 'claude'));
    assert.deepEqual(
      expectedCapture('claude', prompt, { seed: 4, sample: 3 }).brands,
      samples(prompt, 'claude', 4, 4)[3]?.brands,
    );
  });

  test('across 40 samples of one prompt on one site, the brands named, their order and the citations vary', () => {
    for (const site of FLAVOUR_NAMES) {
      const answers = samples(prompt, site, 40);
      const distinct = (keys: string[]) => new Set(keys).size;
      const sets = distinct(answers.map((a) => [...a.brands].sort().join('|')));
      const orders = distinct(answers.map((a) => a.brands.join('|')));
      assert.ok(sets >= 8, `${site}: only ${sets} brand sets`);
      assert.ok(orders > sets, `${site}: the same brands always come in the same order`);
      assert.ok(distinct(answers.map((a) => a.citations.map((c) => c.url).join(' '))) >= 30, site);
      const sizes = new Set(answers.map((a) => a.brands.length));
      assert.ok(
        sizes.size >= 2 && Math.min(...sizes) >= 3 && Math.max(...sizes) <= 6,
        `${site}: ${[...sizes]}`,
      );
    }
  });

  test("a brand's share of samples follows the site's profile of the question", () => {
    for (const site of ['chatgpt', 'gemini', 'perplexity'] as const) {
      for (const question of PROMPTS.slice(0, 10)) {
        const profile = questionProfile(question, 1, DEMO_BRANDS, site);
        const answers = samples(question, site, 200);
        const where = `${site}/${question}`;
        const favourite = profile[0]?.brand.name ?? '';
        const rarest = profile.at(-1)?.brand.name ?? '';
        const favouriteShare = shareOf(answers, favourite);
        const rarestShare = shareOf(answers, rarest);
        assert.ok(favouriteShare >= 0.85, `${where}: the favourite ${favourite} in ${favouriteShare}`);
        assert.ok(rarestShare <= 0.4, `${where}: the least likely ${rarest} in ${rarestShare}`);
        // the 3–6 bounds lift the likeliest few (an answer names three) and trim the tail (at most six)
        for (const { brand, likelihood } of profile) {
          const share = shareOf(answers, brand.name);
          assert.ok(
            share >= likelihood - 0.15 && share <= likelihood + 0.25,
            `${where}: ${brand.name} in ${share} of samples, likelihood ${likelihood}`,
          );
        }
        const leads = Map.groupBy(answers, (a) => a.brands[0]);
        const leader = [...leads].sort((a, b) => b[1].length - a[1].length)[0]?.[0];
        assert.ok(
          profile.slice(0, 2).some((odds) => odds.brand.name === leader),
          `${where}: ${leader} leads most often`,
        );
      }
    }
  });

  test('another sample seed asks the same profile anew: other samples, the same favourites', () => {
    const profile = questionProfile(prompt, 1, DEMO_BRANDS, 'gemini');
    const favourite = profile[0]?.brand.name ?? '';
    const rarest = profile.at(-1)?.brand.name ?? '';
    const first = samples(prompt, 'gemini', 100, 1, 1);
    const again = samples(prompt, 'gemini', 100, 1, 2);
    const texts = new Set(first.map((a) => answerText(a, FLAVOURS.gemini.markup)));
    assert.ok(
      again.every((a) => !texts.has(answerText(a, FLAVOURS.gemini.markup))),
      'a sample repeats',
    );
    for (const answers of [first, again]) {
      assert.ok(shareOf(answers, favourite) >= 0.85, `${favourite} in ${shareOf(answers, favourite)}`);
      assert.ok(shareOf(answers, rarest) <= 0.4, `${rarest} in ${shareOf(answers, rarest)}`);
    }
  });
});

describe('answers give an extractor real work', () => {
  const captures = PROMPTS.map((prompt) => expectedCapture('chatgpt', prompt));
  const texts = captures.map((c) => c.answerText);

  test('brands appear by alias, as possessives and twice in one paragraph', () => {
    const aliases = DEMO_BRANDS.flatMap((b) => b.aliases ?? []);
    assert.ok(
      texts.some((t) => aliases.some((alias) => t.includes(alias))),
      'no alias',
    );
    assert.ok(
      texts.some((t) => /\b(HubSpot|Salesforce|Pipedrive|Monday\.com|Act!|Close)'s\b/.test(t)),
      'no possessive',
    );
    assert.ok(
      texts.some((t) => t.includes("Freshsales' ")),
      'no s-possessive',
    );
    const twice = texts.some((t) =>
      t.split('\n\n').some((p) => DEMO_BRANDS.some((b) => p.split(b.name).length > 2)),
    );
    assert.ok(twice, 'no paragraph names a brand twice');
    assert.ok(
      texts.every((t) => !t.includes('  ') && t === t.trim()),
      'stray whitespace',
    );
  });

  test('citations: brand domains and neutral sites, canonical URLs, some with a text fragment, none twice', () => {
    const urls = captures.flatMap((c) => c.strippedCitations.map((x) => x.url));
    for (const url of urls) assert.equal(new URL(url).href, url, 'not in canonical form');
    for (const capture of captures) {
      assert.equal(
        new Set(capture.citations.map((c) => c.url)).size,
        capture.citations.length,
        'a URL twice',
      );
      assert.ok(
        capture.citations.every((c) => new URL(c.url).searchParams.get('utm_source') === 'chatgpt.com'),
      );
    }
    const hosts = new Set(urls.map((u) => new URL(u).hostname));
    for (const host of ['www.hubspot.com', 'en.wikipedia.org', 'www.g2.com'])
      assert.ok(hosts.has(host), host);
    assert.ok(
      urls.some((u) => u.includes('#:~:text=')),
      'no text fragment',
    );
  });

  test('Gemini adds utm_source=gemini; the sites without tracking parameters keep hrefs as they are', () => {
    const prompt = PROMPTS[3] ?? '';
    const gemini = expectedCapture('gemini', prompt);
    assert.ok(gemini.citations.every((c) => new URL(c.url).searchParams.get('utm_source') === 'gemini'));
    assert.deepEqual(
      gemini.strippedCitations.map((c) => c.url).sort(),
      composeAnswer(prompt, DEFAULT_SEED, DEMO_BRANDS, 'gemini')
        .citations.map((c) => c.url)
        .sort(),
      'stripped, the hrefs are the pages the answer cites',
    );
    assert.deepEqual(
      expectedCapture('claude', prompt).citations,
      expectedCapture('claude', prompt).strippedCitations,
    );
  });
});

describe('faults', () => {
  test('--faults parses rates per kind and says what is wrong with a bad one', () => {
    assert.deepEqual(parseFaults('429=0.1, captcha=0.05,login=0'), { '429': 0.1, captcha: 0.05, login: 0 });
    assert.deepEqual(parseFaults(''), {});
    assert.throws(
      () => parseFaults('teapot=0.1'),
      (e: Error) => e instanceof UsageError && /unknown fault 'teapot'.*known: 429/.test(e.message),
    );
    assert.throws(() => parseFaults('hang=1.5'), /hang=1.5: the rate must be a number from 0 to 1/);
    assert.throws(() => parseFaults('hang=x'), /the rate must be a number/);
    assert.throws(() => parseFaults('429=0.6,500=0.6'), /add up to 1.200/);
  });

  test('draws repeat for the same seed, follow the rates, and a prompt marker always wins', () => {
    const draw = (seed: number) => {
      const drawer = new FaultDrawer({ '429': 0.25, half: 0.25 }, seed);
      return Array.from({ length: 2000 }, () => drawer.draw('chatgpt', 'q'));
    };
    const a = draw(9);
    assert.deepEqual(a, draw(9));
    assert.notDeepEqual(a, draw(10));
    const share = (kind: string) => a.filter((k) => k === kind).length / a.length;
    assert.ok(Math.abs(share('429') - 0.25) < 0.05 && Math.abs(share('half') - 0.25) < 0.05);
    assert.equal(a.filter((k) => k !== undefined && k !== '429' && k !== 'half').length, 0);
    const none = new FaultDrawer({}, 1);
    assert.equal(none.draw('gemini', 'q [[fault:login]]'), 'login');
    assert.equal(none.draw('gemini', 'q [[fault:nonsense]]'), undefined);
  });
});
