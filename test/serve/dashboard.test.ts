// The dashboard of `avt serve` in a real Chromium over a real database: each page loads with no console
// error and no Content-Security-Policy violation, its charts hold the figures that were loaded, the filters
// live in the URL and change the charts, the operations buttons act on the queue, and markup carried by
// answers, brand names, prompts, titles and URLs never runs.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { findChromium } from '../../src/browser/findChromium.ts';
import { ManagedBrowser } from '../../src/browser/managedBrowser.ts';
import type { RunningServer } from '../../src/serve/startServe.ts';
import { type ChartData, chartData } from '../helpers/charts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startTestServer } from '../helpers/serve.ts';

const D0 = '2025-03-09';
const D1 = '2025-03-10';
const D2 = '2025-03-11';
const WINDOW = `since=${D0}&until=${D2}`;
const TOKEN = 'dashboard-token-5c1e0b7a94d2';

/** Each payload, if it ever ran, would leave a mark: window.__xss, or the title 'pwned'. */
const XSS = {
  script: '<script>window.__xss = 1</script>',
  img: '<img src=x onerror="window.__xss = 1">',
  svg: '<svg onload="document.title = \'pwned\'">',
  link: 'javascript:window.__xss = 1',
  upperLink: ' JaVaScRiPt:document.title = "pwned"',
};
const EVIL_BRAND = `Evil${XSS.img}`;
const EVIL_PROMPT = `${XSS.script} which crm?`;
const EVIL_ANSWER = `${XSS.script}${XSS.svg} Acme and ${EVIL_BRAND} are both fine.`;
const EVIL_ERROR = `captcha: ${XSS.img}`;
/** A 1×1 PNG: the dead run's screenshot. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const outputDir = resolve(process.env.AVT_TEST_OUTPUT ?? 'test-output');

let t: TestDatabase;
let server: RunningServer;
let browser: ManagedBrowser;
let artifactsDir: string;
let deadRunId: string;

/*
 * The fixture: category CRM; brands Acme (own, acme.com), Globex (globex.io), and a competitor whose name is
 * markup. Answers (all CRM prompts):
 *   chatgpt ui  D1: a1 Acme 1, Globex 2 ("transparent pricing"; cites acme.com, wiki.example)
 *               D1: a2 Globex 1 (cites a javascript: URL titled with markup)
 *               D2: a3 Acme 1 (cites globex.io)
 *               D2: a4 the markup answer to the markup prompt: Evil 1, Acme 2 (cites acme.com, and a
 *                   JaVaScRiPt: URL)
 *   perplexity ui D1: a5 Acme 1
 *   claude ui   D0: 22 answers, no mention: two pages of evidence
 * Mention rate of Acme on chatgpt/ui: D1 1/2, D2 2/2; on perplexity/ui: D1 1/1.
 */
async function loadFixture(): Promise<void> {
  const q = (text: string, values: unknown[] = []) => t.pool.query(text, values);
  await q('UPDATE ai_sources SET enabled = false');
  const { rows: categories } = await q(`INSERT INTO categories (name) VALUES ('CRM') RETURNING id`);
  const crm = categories[0].id;
  const { rows: brands } = await q(
    `INSERT INTO brands (name, domains, is_own) VALUES
       ('Acme', '{acme.com}', true), ('Globex', '{globex.io}', false), ($1, '{evil.test}', false)
     RETURNING id, name`,
    [EVIL_BRAND],
  );
  const brand = (name: string) => brands.find((row) => row.name === name)?.id;
  const { rows: prompts } = await q(
    `INSERT INTO prompts (text, category_id) VALUES ('best crm', $1), ($2, $1) RETURNING id, text`,
    [crm, EVIL_PROMPT],
  );
  const [plain, evil] = [prompts[0].id, prompts[1].id];
  const answer = async (prompt: string, at: string, source: string, text: string) => {
    const { rows } = await q(
      `INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, captured_at)
       VALUES (0, $1, $2, 'ui', $3, $4) RETURNING id`,
      [prompt, source, text, at],
    );
    return rows[0].id as string;
  };
  const mention = (response: string, name: string, position: number, snippet: string) =>
    q(
      `INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, sentiment, recommended, snippet)
       VALUES ($1, $2, $3, $4, 'positive', true, $5)`,
      [response, brand(name), name, position, snippet],
    );
  const cite = (
    response: string,
    position: number,
    url: string,
    domain: string,
    title: string,
    owner?: string,
  ) =>
    q(
      `INSERT INTO citations (response_id, position, url, domain, title, brand_id) VALUES ($1, $2, $3, $4, $5, $6)`,
      [response, position, url, domain, title, owner ? brand(owner) : null],
    );

  const a1 = await answer(plain, `${D1}T08:00:00Z`, 'chatgpt', 'Acme has transparent pricing; Globex too.');
  await mention(a1, 'Acme', 1, 'Acme has transparent pricing');
  await mention(a1, 'Globex', 2, 'Globex too');
  await cite(a1, 1, 'https://acme.com/pricing', 'acme.com', 'Acme pricing', 'Acme');
  await cite(a1, 2, 'https://wiki.example/crm', 'wiki.example', 'CRM');
  const a2 = await answer(plain, `${D1}T09:00:00Z`, 'chatgpt', 'Globex leads.');
  await mention(a2, 'Globex', 1, 'Globex leads');
  await cite(a2, 1, XSS.link, 'evil.test', XSS.img, EVIL_BRAND);
  const a3 = await answer(plain, `${D2}T08:00:00Z`, 'chatgpt', 'Acme, clearly.');
  await mention(a3, 'Acme', 1, 'Acme, clearly');
  await cite(a3, 1, 'https://globex.io/', 'globex.io', 'Globex', 'Globex');
  const a4 = await answer(evil, `${D2}T09:00:00Z`, 'chatgpt', EVIL_ANSWER);
  await mention(a4, EVIL_BRAND, 1, XSS.svg);
  await mention(a4, 'Acme', 2, 'Acme and');
  await cite(a4, 1, 'https://acme.com/', 'acme.com', XSS.script, 'Acme');
  await cite(a4, 2, XSS.upperLink, 'evil.test', 'upper', EVIL_BRAND);
  await q(`INSERT INTO discovered_competitors (response_id, name, sentiment) VALUES ($1, $2, 'neutral')`, [
    a4,
    `Unlisted${XSS.svg}`,
  ]);
  const a5 = await answer(plain, `${D1}T10:00:00Z`, 'perplexity', 'Acme.');
  await mention(a5, 'Acme', 1, 'Acme.');
  for (let n = 1; n <= 22; n += 1) {
    await answer(plain, `${D0}T${String(n).padStart(2, '0')}:00:00Z`, 'claude', `filler answer ${n}`);
  }

  // A dead run of the markup prompt with a screenshot, on an enabled source.
  await q(`UPDATE ai_sources SET enabled = (name IN ('chatgpt', 'perplexity'))`);
  const { rows: dead } = await q(`INSERT INTO prompts (text, category_id) VALUES ($1, $2) RETURNING id`, [
    `${EVIL_PROMPT} again`,
    crm,
  ]);
  const { rows: runs } = await q(
    `UPDATE prompt_runs SET status = 'dead', attempts = 1, finished_at = now(), last_error = $2
     WHERE prompt_id = $1 AND ai_source = 'chatgpt' RETURNING id`,
    [dead[0].id, EVIL_ERROR],
  );
  deadRunId = runs[0].id;
  await q(
    `UPDATE prompt_runs SET status = 'dead', attempts = 5, finished_at = now(), last_error = 'timeout: no answer'
     WHERE prompt_id = $1 AND ai_source = 'perplexity'`,
    [dead[0].id],
  );
  const attemptDir = join(artifactsDir, deadRunId, '1');
  await mkdir(attemptDir, { recursive: true });
  await writeFile(join(attemptDir, 'screenshot.png'), PNG);
  await q(
    `INSERT INTO run_attempts (run_id, attempt, worker, lease_token, started_at, finished_at, outcome, error_kind,
                               error, artifacts_path)
     VALUES ($1, 1, 'w@test', gen_random_uuid(), now(), now(), 'dead', 'captcha', $2, $3)`,
    [deadRunId, EVIL_ERROR, attemptDir],
  );
}

interface OpenedPage {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

async function newContext(): Promise<BrowserContext> {
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    const marks = window as unknown as { __csp: string[] };
    marks.__csp = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      marks.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return context;
}

async function open(context: BrowserContext, path: string): Promise<OpenedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
  const response = await page.goto(`${server.url}${path}`);
  assert.ok(response, `${path} answered`);
  return { page, problems };
}

/** Every canvas of the page holds a drawn chart. */
async function chartsDrawn(page: Page): Promise<number> {
  await page.waitForFunction(() => {
    const canvases = [...document.querySelectorAll('canvas')];
    const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
    return canvases.length > 0 && chart !== undefined && canvases.every((canvas) => chart.getChart(canvas));
  });
  return page.locator('canvas').count();
}

const dataset = (chart: ChartData, label: string) => {
  const found = chart.datasets.find((entry) => entry.label === label);
  assert.ok(found, `a dataset ${label} among ${chart.datasets.map((entry) => entry.label).join(', ')}`);
  return found.data;
};

/** No payload ran, none became markup, and no link leads to javascript:. */
async function assertNothingRan(page: Page, where: string): Promise<void> {
  const state = await page.evaluate(() => ({
    xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
    title: document.title,
    javascriptLinks: [...document.querySelectorAll('[href], [src], [action]')]
      .map(
        (element) =>
          element.getAttribute('href') ?? element.getAttribute('src') ?? element.getAttribute('action'),
      )
      .filter((value) => /^\s*javascript:/i.test(value ?? '')).length,
    handlers: [...document.querySelectorAll('*')].flatMap((element) =>
      [...element.attributes].filter((attribute) => attribute.name.startsWith('on')).map((a) => a.name),
    ),
    payloadElements: document.querySelectorAll('img[src="x"], svg[onload], script:not([src]):not([type])')
      .length,
  }));
  assert.deepEqual(
    state,
    { xss: null, title: state.title, javascriptLinks: 0, handlers: [], payloadElements: 0 },
    `${where}: nothing of the payloads became markup or ran`,
  );
  assert.notEqual(state.title, 'pwned', `${where}: the title is the page's`);
}

async function assertClean(opened: OpenedPage, where: string): Promise<void> {
  const violations = await opened.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  assert.deepEqual([...opened.problems, ...violations], [], `${where}: no console error, no CSP violation`);
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(outputDir, `dashboard-${name}.png`), fullPage: true });

before(async () => {
  await mkdir(outputDir, { recursive: true });
  artifactsDir = await mkdtemp(join(tmpdir(), 'avt-dashboard-'));
  t = await createTestDatabase();
  await loadFixture();
  server = await startTestServer(t);
  browser = await ManagedBrowser.launch((await findChromium()).executablePath);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await t?.drop();
  await rm(artifactsDir, { recursive: true, force: true });
});

describe('dashboard pages', () => {
  test('the overview charts each source: mention rate with its 95% interval, share of voice, position; a filter changes them and stays in the URL', async () => {
    const context = await newContext();
    try {
      const opened = await open(context, `/?${WINDOW}`);
      const { page } = opened;
      assert.equal(
        await chartsDrawn(page),
        9,
        'three charts for each of chatgpt, claude and perplexity (ui)',
      );
      const rate = await chartData(page, 'canvas[data-chart="mention_rate"][data-series="chatgpt/ui"]');
      assert.deepEqual(rate.labels, [D1, D2]);
      assert.deepEqual(dataset(rate, 'Acme'), [0.5, 1]);
      assert.deepEqual(dataset(rate, 'Globex'), [1, 0]);
      assert.deepEqual(dataset(rate, EVIL_BRAND), [0, 0.5]);
      const { rows: wilson } = await t.pool.query<{ low: number; high: number }>(
        `SELECT mention_rate_low AS low, mention_rate_high AS high FROM brand_visibility
         WHERE ai_source = 'chatgpt' AND brand = 'Acme' ORDER BY day`,
      );
      assert.deepEqual(
        dataset(rate, 'Acme 95% low'),
        wilson.map((row) => row.low),
        "the band is the view's interval",
      );
      assert.deepEqual(
        dataset(rate, 'Acme 95% high'),
        wilson.map((row) => row.high),
      );
      const share = await chartData(page, 'canvas[data-chart="share_of_voice"][data-series="chatgpt/ui"]');
      assert.deepEqual(dataset(share, 'Acme'), [0.5, 1]);
      const position = await chartData(page, 'canvas[data-chart="avg_position"][data-series="chatgpt/ui"]');
      assert.deepEqual(dataset(position, 'Acme'), [1, 1.5]);
      assert.deepEqual(dataset(position, 'Globex'), [1.5, null]);

      const table = page.locator('table.figures[data-series="chatgpt/ui"] tbody tr.own').first();
      assert.match(await table.innerText(), new RegExp(`${D2}\\s+Acme yours\\s+2\\s+2\\s+100.0%`));
      await screenshot(page, 'overview');
      await assertClean(opened, 'overview');

      await page.selectOption('select[name="ai_source"]', 'perplexity');
      await Promise.all([
        page.waitForURL(/ai_source=perplexity/),
        page.click('form.filters button[type="submit"]'),
      ]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('since'), D0, 'the URL keeps the dates');
      assert.equal(url.searchParams.get('until'), D2);
      assert.equal(await chartsDrawn(page), 3, 'only perplexity now');
      const perplexity = await chartData(
        page,
        'canvas[data-chart="mention_rate"][data-series="perplexity/ui"]',
      );
      assert.deepEqual(perplexity.labels, [D1]);
      assert.deepEqual(dataset(perplexity, 'Acme'), [1]);
      assert.equal(await page.locator('select[name="ai_source"]').inputValue(), 'perplexity');
      await assertClean(opened, 'overview, filtered');
    } finally {
      await context.close();
    }
  });

  test('the citations page ranks domains with yours highlighted, and counts citations per brand', async () => {
    const context = await newContext();
    try {
      const opened = await open(context, `/citations?${WINDOW}`);
      const { page } = opened;
      assert.equal(await chartsDrawn(page), 2);
      const domains = await chartData(page, 'canvas[data-chart="domains"]');
      assert.deepEqual(domains.labels, ['acme.com', 'evil.test', 'globex.io', 'wiki.example']);
      assert.deepEqual(domains.datasets[0]?.data, [2, 2, 1, 1]);
      assert.deepEqual(
        await page.locator('table.domains tr.own td:first-child').allInnerTexts(),
        ['acme.com yours'],
        'your own domain is highlighted',
      );
      const brands = await chartData(page, 'canvas[data-chart="brand_citations"]');
      assert.deepEqual(
        Object.fromEntries(brands.labels.map((label, index) => [label, brands.datasets[0]?.data[index]])),
        { Acme: 2, Globex: 1, [EVIL_BRAND]: 2 },
      );
      await screenshot(page, 'citations');
      await assertClean(opened, 'citations');

      await page.fill('input[name="since"]', D2);
      await Promise.all([
        page.waitForURL(new RegExp(`since=${D2}`)),
        page.click('form.filters button[type="submit"]'),
      ]);
      await chartsDrawn(page);
      const later = await chartData(page, 'canvas[data-chart="domains"]');
      assert.deepEqual(later.labels, ['acme.com', 'evil.test', 'globex.io'], 'only the second day now');
      assert.deepEqual(later.datasets[0]?.data, [1, 1, 1]);
      await assertClean(opened, 'citations, filtered');
    } finally {
      await context.close();
    }
  });

  test('the answers page shows the evidence escaped, links only http(s) citations, searches, and pages to older answers', async () => {
    const context = await newContext();
    try {
      const opened = await open(context, `/answers?${WINDOW}&ai_source=chatgpt`);
      const { page } = opened;
      assert.equal(await page.locator('article.answer').count(), 4);
      const evil = page.locator('article.answer').first();
      assert.equal(
        await evil.locator('.answer-text').innerText(),
        EVIL_ANSWER,
        'the answer is shown as text',
      );
      assert.equal(await evil.locator('h2.prompt').innerText(), EVIL_PROMPT);
      assert.match(
        await evil.locator('table.mentions').innerText(),
        /1\s+Evil<img src=x onerror="window.__xss = 1">/,
      );
      const link = evil.locator('ol.citations a');
      assert.equal(await link.count(), 1, 'the JaVaScRiPt: URL is not a link');
      assert.equal(await link.getAttribute('href'), 'https://acme.com/');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
      assert.match(await evil.locator('ol.citations').innerText(), /JaVaScRiPt:document\.title/);
      await assertNothingRan(page, 'answers');
      await screenshot(page, 'answers');
      await assertClean(opened, 'answers');

      await page.fill('input[name="q"]', 'transparent');
      await Promise.all([page.waitForURL(/q=transparent/), page.click('form.filters button[type="submit"]')]);
      assert.equal(await page.locator('article.answer').count(), 1);
      assert.match(await page.locator('article.answer .answer-text').innerText(), /transparent pricing/);
      assert.equal(new URL(page.url()).searchParams.get('ai_source'), 'chatgpt');

      await page.goto(`${server.url}/answers?${WINDOW}&ai_source=claude`);
      assert.equal(await page.locator('article.answer').count(), 20);
      await Promise.all([page.waitForURL(/cursor=/), page.click('a[rel="next"]')]);
      assert.deepEqual(await page.locator('article.answer .answer-text').allInnerTexts(), [
        'filler answer 2',
        'filler answer 1',
      ]);
      assert.equal(new URL(page.url()).searchParams.get('ai_source'), 'claude', 'paging keeps the filters');
      assert.equal(await page.locator('a[rel="next"]').count(), 0, 'the last page has no older link');
      await assertClean(opened, 'answers, paged');
    } finally {
      await context.close();
    }
  });

  test('a bad filter or an unknown name is shown on the page with 400, with the form to fix it', async () => {
    for (const [path, message] of [
      ['/?since=2025-13-01', /since must be a day as YYYY-MM-DD|not a calendar day/],
      ['/citations?until=2025-01-01&since=2025-02-01', /since \(2025-02-01\) is after until/],
      ['/answers?ai_source=bard', /unknown &#39;bard&#39;/],
      ['/answers?cursor=nonsense', /cursor/],
      ['/operations?ai_source=bard', /unknown &#39;bard&#39;/],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 400, path);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      const html = await response.text();
      assert.match(html, message, path);
      assert.match(html, /<form class="filters" method="get"/, `${path}: the form is there to fix it`);
    }
  });

  test('markup in answers, brand names, prompts, citation titles and URLs never runs on any page', async () => {
    const context = await newContext();
    try {
      for (const path of [`/?${WINDOW}`, `/citations?${WINDOW}`, `/answers?${WINDOW}`, '/operations']) {
        const opened = await open(context, path);
        if (path === '/operations') await opened.page.waitForSelector('#dead-runs tbody tr');
        else if (!path.startsWith('/answers')) await chartsDrawn(opened.page);
        const text = await opened.page.locator('main').innerText();
        assert.ok(text.includes(EVIL_BRAND) || text.includes(EVIL_PROMPT), `${path} shows a payload as text`);
        await assertNothingRan(opened.page, path);
        await assertClean(opened, path);
        await opened.page.close();
      }
    } finally {
      await context.close();
    }
  });
});

describe('operations', () => {
  const runStatus = async (source: string) => {
    const { rows } = await t.pool.query<{ status: string }>(
      `SELECT r.status FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id
       WHERE p.text = $1 AND r.ai_source = $2`,
      [`${EVIL_PROMPT} again`, source],
    );
    return rows[0]?.status;
  };
  const pausedUntil = async (source: string) => {
    const { rows } = await t.pool.query<{ until: string | null; reason: string | null }>(
      'SELECT paused_until::text AS until, pause_reason AS reason FROM ai_sources WHERE name = $1',
      [source],
    );
    return rows[0];
  };

  test('the buttons retry dead runs, pause and resume a source, and enqueue prompts; the page shows the outcome', async () => {
    const context = await newContext();
    try {
      const opened = await open(context, '/operations');
      const { page } = opened;
      const loads = () => page.evaluate(() => Number(document.body.dataset.loaded ?? 0));
      const afterAction = async (before: number, click: () => Promise<void>) => {
        await click();
        await page.waitForFunction((n) => Number(document.body.dataset.loaded ?? 0) > n, before);
      };
      await page.waitForFunction(() => Number(document.body.dataset.loaded ?? 0) > 0);

      const deadRow = page.locator(`#dead-runs tr[data-run-id="${deadRunId}"]`);
      assert.ok((await deadRow.innerText()).includes(EVIL_ERROR), 'the last error, as text');
      await page.waitForFunction((id) => {
        const image = document.querySelector(
          `#dead-runs tr[data-run-id="${id}"] img.artifact`,
        ) as HTMLImageElement | null;
        return image?.complete && image.naturalWidth === 1;
      }, deadRunId);
      const queueRow = (source: string) => page.locator(`#queue tr[data-source="${source}"]`);
      assert.match(await queueRow('chatgpt').innerText(), /active/);
      await screenshot(page, 'operations');

      await afterAction(await loads(), () =>
        queueRow('perplexity').getByRole('button', { name: 'Retry dead' }).click(),
      );
      assert.match(await page.locator('#ops-status').innerText(), /queued 1 dead run of perplexity again/);
      assert.equal(await runStatus('perplexity'), 'queued', 'the per-source retry queued its dead run');
      assert.equal(await runStatus('chatgpt'), 'dead', 'and left the other source alone');

      await afterAction(await loads(), () => page.click('#retry-all'));
      assert.equal(await runStatus('chatgpt'), 'queued');
      assert.equal(await deadRow.count(), 0, 'the dead run left the table');

      await page.selectOption('#pause-form select[name="source"]', 'perplexity');
      await page.fill('#pause-form input[name="reason"]', 'captcha wall');
      await afterAction(await loads(), () => page.click('#pause-form button[type="submit"]'));
      assert.deepEqual(await pausedUntil('perplexity'), { until: 'infinity', reason: 'captcha wall' });
      assert.match(await queueRow('perplexity').innerText(), /paused until resumed: captcha wall/);
      await afterAction(await loads(), () =>
        queueRow('perplexity').getByRole('button', { name: 'Resume' }).click(),
      );
      assert.equal((await pausedUntil('perplexity'))?.until, null, 'resumed');
      assert.match(await queueRow('perplexity').innerText(), /active/);

      await page.fill('#enqueue-form textarea', 'ops prompt one\n\nops prompt two\n');
      await page.fill('#enqueue-form input[name="category"]', 'Ops');
      await afterAction(await loads(), () => page.click('#enqueue-form button[type="submit"]'));
      assert.match(await page.locator('#enqueue-result').innerText(), /added 2 prompts/);
      const { rows: added } = await t.pool.query(
        `SELECT p.text, c.name AS category, (SELECT count(*)::int FROM prompt_runs r WHERE r.prompt_id = p.id) AS runs
         FROM prompts p JOIN categories c ON c.id = p.category_id WHERE p.text LIKE 'ops prompt%' ORDER BY p.text`,
      );
      assert.deepEqual(added, [
        { text: 'ops prompt one', category: 'Ops', runs: 2 },
        { text: 'ops prompt two', category: 'Ops', runs: 2 },
      ]);

      await page.setInputFiles('#enqueue-form input[type="file"]', {
        name: 'prompts.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('text,category\nops csv prompt,Ops\n,Ops\n'),
      });
      await afterAction(await loads(), () => page.click('#enqueue-form button[type="submit"]'));
      const result = await page.locator('#enqueue-result').innerText();
      assert.match(result, /added 1 prompt; 1 row refused/);
      assert.match(result, /line 3: text is missing/);
      const { rows: csv } = await t.pool.query(
        `SELECT count(*)::int AS n FROM prompts WHERE text = 'ops csv prompt'`,
      );
      assert.equal(csv[0].n, 1);
      await screenshot(page, 'operations-after');
      await assertClean(opened, 'operations');
    } finally {
      await context.close();
    }
  });
});

describe('signing in', () => {
  test('with a token, a page sends the browser to /login; the form signs in with an HttpOnly, SameSite=Strict cookie', async () => {
    const guarded = await startTestServer(t, { token: TOKEN });
    const context = await newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${guarded.url}/citations?${WINDOW}`);
      assert.equal(new URL(page.url()).pathname, '/login');
      await page.fill('input[name="token"]', 'wrong');
      await Promise.all([page.waitForURL(/failed=1/), page.click('button[type="submit"]')]);
      await page.fill('input[name="token"]', TOKEN);
      await Promise.all([page.waitForURL(/\/citations\?/), page.click('button[type="submit"]')]);
      assert.equal(new URL(page.url()).searchParams.get('since'), D0, 'back where it was going');
      assert.equal(await chartsDrawn(page), 2);
      const cookie = (await context.cookies()).find((entry) => entry.name === 'avt_session');
      assert.ok(cookie, 'the session cookie is set');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(await page.evaluate(() => document.cookie), '', 'page scripts cannot read it');
      await screenshot(page, 'login-then-citations');
    } finally {
      await context.close();
      await guarded.close();
    }
  });
});
