import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { createRuleExtractor, extractWithRules } from '../../src/extract/rules/extractWithRules.ts';
import type { Extraction, TrackedBrand } from '../../src/extract/types.ts';
import { composeAnswer } from '../../src/mock/answer.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { expectedCapture } from '../../src/mock/expectedCapture.ts';
import { FLAVOUR_NAMES } from '../../src/mock/flavour.ts';
import { FLAVOURS } from '../../src/mock/flavours/index.ts';
import { DEFAULT_SEED } from '../../src/mock/options.ts';
import { renderAnswer } from '../../src/mock/render.ts';
import { crmPrompts } from '../mock/helpers.ts';

const FIXTURE_DIR = new URL('../fixtures/extract/', import.meta.url);

const brandSchema = z
  .object({
    id: z.string().nullable().optional(),
    name: z.string(),
    aliases: z.array(z.string()).optional(),
    domains: z.array(z.string()).optional(),
  })
  .strict();

/** Strict, so a misspelt label key fails loudly instead of going unchecked. */
const fixtureSchema = z
  .object({
    name: z.string().min(1),
    note: z.string().optional(),
    brands: z.array(brandSchema).optional(),
    text: z.string(),
    html: z.string().optional(),
    links: z
      .array(z.object({ url: z.string(), title: z.string().nullable().optional() }).strict())
      .optional(),
    mentions: z.array(
      z
        .object({
          brand: z.string(),
          position: z.number(),
          count: z.number(),
          snippet: z.string().optional(),
        })
        .strict(),
    ),
    citations: z.array(
      z
        .object({
          url: z.string(),
          domain: z.string(),
          title: z.string().nullable(),
          brand: z.string().nullable(),
          quote: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

const fileSchema = z.object({ brands: z.array(brandSchema), fixtures: z.array(fixtureSchema) }).strict();
type Fixture = z.infer<typeof fixtureSchema>;

function tracked(brands: z.infer<typeof brandSchema>[]): TrackedBrand[] {
  return brands.map((b) => ({
    id: b.id ?? null,
    name: b.name,
    aliases: b.aliases ?? [],
    domains: b.domains ?? [],
  }));
}

/** The extraction in the labels' shape; a mention's snippet only where the label gives one. */
function asLabels(extraction: Extraction, fixture: Fixture) {
  return {
    mentions: extraction.mentions.map((m, i) => ({
      brand: m.brandName,
      position: m.position,
      count: m.mentionCount,
      ...(fixture.mentions[i]?.snippet === undefined ? {} : { snippet: m.snippet }),
    })),
    citations: extraction.citations.map((c) => ({
      url: c.url,
      domain: c.domain,
      title: c.title,
      brand: c.brandName,
      quote: c.quote,
    })),
  };
}

const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json'));

describe('hand-labelled fixtures', () => {
  let total = 0;
  for (const file of files) {
    const parsed = fileSchema.parse(JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')));
    for (const fixture of parsed.fixtures) {
      total += 1;
      test(`${file} › ${fixture.name}`, () => {
        const brands = tracked(fixture.brands ?? parsed.brands);
        const extraction = extractWithRules(
          { text: fixture.text, html: fixture.html ?? null, links: fixture.links ?? [] },
          brands,
        );
        const where = `fixture ${file} › ${fixture.name}`;
        assert.deepEqual(
          asLabels(extraction, fixture),
          { mentions: fixture.mentions, citations: fixture.citations },
          where,
        );
        assert.equal(extraction.method, 'rules', where);
        assert.deepEqual(extraction.discovered, [], where);
        assert.deepEqual(
          extraction.citations.map((c) => c.position),
          extraction.citations.map((_, i) => i + 1),
          `${where}: citation positions`,
        );
        const idOf = (name: string | null) => brands.find((b) => b.name === name)?.id ?? null;
        for (const m of extraction.mentions)
          assert.equal(m.brandId, idOf(m.brandName), `${where}: ${m.brandName}`);
        for (const c of extraction.citations)
          assert.equal(c.brandId, idOf(c.brandName), `${where}: ${c.url}`);
      });
    }
  }
  test('there are at least 40 fixtures, with unique names', () => {
    assert.ok(total >= 40, `only ${total} fixtures`);
    const names = files.flatMap((file) =>
      fileSchema
        .parse(JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')))
        .fixtures.map((f) => f.name),
    );
    assert.equal(new Set(names).size, names.length);
  });
});

const TOPICS = ['startups', 'a bakery', 'real estate agents', 'nonprofits', 'agencies', 'a law firm'];
const PROMPTS = crmPrompts(TOPICS);
const DEMO = DEMO_BRANDS.map((b, i) => ({
  id: String(i + 1),
  name: b.name,
  aliases: b.aliases ?? [],
  domains: b.domains ?? [],
}));

/** The tracked brand whose domain a cited URL is on, found the plain way. */
function ownerOf(url: string): string | null {
  const host = new URL(url).hostname.replace(/^www\./, '');
  return DEMO.find((b) => b.domains.some((d) => host === d || host.endsWith(`.${d}`)))?.name ?? null;
}

describe("the mock platform's own answers", () => {
  const extractor = createRuleExtractor(DEMO);

  test(`${PROMPTS.length} prompts over every flavour: the composed brands and citations, in order`, () => {
    PROMPTS.forEach((prompt, index) => {
      const flavour = FLAVOUR_NAMES[index % FLAVOUR_NAMES.length] as string;
      const capture = expectedCapture(flavour, prompt);
      const extraction = extractor.extract({ text: capture.answerText, links: capture.strippedCitations });
      const where = `${flavour}: ${prompt}`;
      assert.ok(capture.brands.length >= 3, where);
      assert.deepEqual(
        extraction.mentions.map((m) => [m.brandName, m.position]),
        capture.brands.map((name, i) => [name, i + 1]),
        where,
      );
      assert.deepEqual(
        extraction.citations.map((c) => ({ position: c.position, url: c.url, title: c.title })),
        capture.strippedCitations.map((c, i) => ({ position: i + 1, url: c.url, title: c.title })),
        where,
      );
      assert.deepEqual(
        extraction.citations.map((c) => c.brandName),
        capture.strippedCitations.map((c) => ownerOf(c.url)),
        where,
      );
      for (const c of extraction.citations) {
        if (c.url.includes('#:~:text=')) assert.match(c.quote ?? '', / is our top pick$/, where);
        else assert.equal(c.quote, null, where);
      }
    });
  });

  test('from the HTML alone (inline-citation flavours): the same brands, the hrefs as cited', () => {
    const inline = FLAVOUR_NAMES.filter((name) => FLAVOURS[name].markup.inline);
    assert.ok(inline.length >= 3);
    PROMPTS.forEach((prompt, index) => {
      const flavour = inline[index % inline.length] as (typeof inline)[number];
      const answer = composeAnswer(prompt, DEFAULT_SEED, DEMO_BRANDS, flavour);
      const html = renderAnswer(answer, FLAVOURS[flavour].markup);
      const extraction = extractor.extract({ text: '', html });
      const capture = expectedCapture(flavour, prompt);
      const where = `${flavour} html: ${prompt}`;
      assert.deepEqual(
        extraction.mentions.map((m) => m.brandName),
        answer.brands,
        where,
      );
      assert.deepEqual(
        extraction.citations.map((c) => c.url),
        capture.citations.map((c) => c.url),
        where,
      );
    });
  });

  test('a Google query without an overview: nothing', () => {
    const capture = expectedCapture('google', 'best CRM [[aio:none]]');
    assert.deepEqual(extractor.extract({ text: capture.answerText, links: capture.strippedCitations }), {
      mentions: [],
      citations: [],
      discovered: [],
      method: 'rules',
    });
  });
});

describe('a URL written without a scheme is a citation, like its https:// twin', () => {
  const brands: TrackedBrand[] = [
    { id: '1', name: 'HubSpot', aliases: [], domains: ['hubspot.com'] },
    { id: '5', name: 'Monday.com', aliases: [], domains: ['monday.com'] },
  ];
  const written = [
    'hubspot.com/pricing',
    'hubspot.com/pricing?plan=starter&seats=5',
    'hubspot.com/pricing#compare',
    'hubspot.com/pricing#:~:text=Starter%20plan',
    'hubspot.com/?ref=answer',
    'www.hubspot.com/pricing',
  ];
  const sentences = [
    (url: string) => `${url} lists every plan.`,
    (url: string) => `Pricing: ${url}`,
    (url: string) => `See the plans at ${url}.`,
    (url: string) => `Compare the plans (${url}) before you buy.`,
    (url: string) => `Is it cheaper at ${url}? Yes, at ${url}, and ${url}; ${url}!`,
    (url: string) => `The plans (see ${url}).`,
  ];
  for (const url of written) {
    for (const sentence of sentences) {
      const text = sentence(url);
      test(text, () => {
        const bare = extractWithRules({ text }, brands);
        const twin = extractWithRules({ text: sentence(`https://${url}`) }, brands);
        assert.deepEqual(bare.citations, twin.citations);
        assert.equal(bare.citations.length, 1, 'once, however often it is written');
        assert.deepEqual(
          {
            url: bare.citations[0]?.url,
            domain: bare.citations[0]?.domain,
            owner: bare.citations[0]?.brandName,
          },
          { url: `https://${url}`, domain: 'hubspot.com', owner: 'HubSpot' },
        );
        assert.deepEqual(bare.mentions, [], 'the name inside a URL is no mention');
      });
    }
  }

  test('the text fragment of a scheme-less URL is its quote, decoded', () => {
    const { citations } = extractWithRules(
      { text: 'Pricing: hubspot.com/pricing#:~:text=Starter%20plan' },
      brands,
    );
    assert.equal(citations[0]?.quote, 'Starter plan');
  });

  test('in answer order, each address once, among https:// and www. forms', () => {
    const { citations } = extractWithRules(
      {
        text: 'First monday.com/crm, then https://hubspot.com/a, then hubspot.com/a again, then www.hubspot.com/b.',
      },
      brands,
    );
    assert.deepEqual(
      citations.map((c) => [c.position, c.url, c.brandName]),
      [
        [1, 'https://monday.com/crm', 'Monday.com'],
        [2, 'https://hubspot.com/a', 'HubSpot'],
        [3, 'https://www.hubspot.com/b', 'HubSpot'],
      ],
    );
  });

  test('a bare host in prose stays a mention and gives no citation, even before a question mark', () => {
    for (const text of ['monday.com is easy to learn.', 'Is it monday.com?', 'Try monday.com.']) {
      const { mentions, citations } = extractWithRules({ text }, brands);
      assert.deepEqual(citations, [], text);
      assert.deepEqual(
        mentions.map((m) => m.brandName),
        ['Monday.com'],
        text,
      );
    }
  });
});
