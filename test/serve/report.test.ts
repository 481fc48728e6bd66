// `avt report`: one self-contained HTML file of the overview and the most cited domains. Opened from file://
// in a real Chromium with the network cut off, it requests nothing, its charts hold the figures, and markup
// carried by brand names, titles and domains never runs.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { findChromium } from '../../src/browser/findChromium.ts';
import { ManagedBrowser } from '../../src/browser/managedBrowser.ts';
import { registerReport } from '../../src/cli/commands/report.ts';
import { parseFilters } from '../../src/serve/filters.ts';
import { writeReport } from '../../src/serve/report.ts';
import { UsageError } from '../../src/usageError.ts';
import { chartData } from '../helpers/charts.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const D1 = '2025-06-02';
const D2 = '2025-06-03';
const EVIL_BRAND = 'Evil<img src=x onerror="window.__xss = 1">';
const EVIL_DOMAIN = 'evil.test<script>window.__xss = 1</script>';
const EVIL_COMPETITOR = `Unlisted<svg onload="document.title = 'pwned'">`;
const outputDir = resolve(process.env.AVT_TEST_OUTPUT ?? 'test-output');

let t: TestDatabase;
let dir: string;

/*
 * chatgpt ui, D1: two answers, Acme (own) named in the first, the markup brand in both; D2: one answer naming
 * Acme. Citations: acme.com twice (Acme), a domain whose name is markup once (the markup brand's).
 * Acme's mention rate: D1 1/2, D2 1/1.
 */
async function loadFixture(): Promise<void> {
  const q = (text: string, values: unknown[] = []) => t.pool.query(text, values);
  await q('UPDATE ai_sources SET enabled = false');
  const { rows: brands } = await q(
    `INSERT INTO brands (name, domains, is_own) VALUES ('Acme', '{acme.com}', true), ($1, '{evil.test}', false)
     RETURNING id, name`,
    [EVIL_BRAND],
  );
  const brand = (name: string) => brands.find((row) => row.name === name)?.id;
  const { rows: prompts } = await q(`INSERT INTO prompts (text) VALUES ('best crm') RETURNING id`);
  const answer = async (at: string) => {
    const { rows } = await q(
      `INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, captured_at)
       VALUES (0, $1, 'chatgpt', 'ui', 'an answer', $2) RETURNING id`,
      [prompts[0].id, at],
    );
    return rows[0].id as string;
  };
  const mention = (response: string, name: string, position: number) =>
    q(`INSERT INTO brand_mentions (response_id, brand_id, brand_name, position) VALUES ($1, $2, $3, $4)`, [
      response,
      brand(name),
      name,
      position,
    ]);
  const cite = (response: string, url: string, domain: string, owner: string) =>
    q(
      `INSERT INTO citations (response_id, position, url, domain, title, brand_id)
       VALUES ($1, 1, $2, $3, $4, $5)`,
      [response, url, domain, EVIL_BRAND, brand(owner)],
    );
  const a1 = await answer(`${D1}T08:00:00Z`);
  await mention(a1, 'Acme', 1);
  await mention(a1, EVIL_BRAND, 2);
  await cite(a1, 'https://acme.com/', 'acme.com', 'Acme');
  const a2 = await answer(`${D1}T09:00:00Z`);
  await mention(a2, EVIL_BRAND, 1);
  await cite(a2, 'javascript:window.__xss = 1', EVIL_DOMAIN, EVIL_BRAND);
  const a3 = await answer(`${D2}T08:00:00Z`);
  await mention(a3, 'Acme', 1);
  await cite(a3, 'https://acme.com/pricing', 'acme.com', 'Acme');
  await q(`INSERT INTO discovered_competitors (response_id, name) VALUES ($1, $2)`, [a3, EVIL_COMPETITOR]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avt-report-'));
  await mkdir(outputDir, { recursive: true });
  t = await createTestDatabase();
  await loadFixture();
});

after(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('avt report', () => {
  test('the report opens from file:// with the network cut off, requests nothing, and its charts hold the figures', async () => {
    const out = join(dir, 'nested', 'report.html');
    const written = await writeReport(t.pool, parseFilters({ since: D1, until: D2 }), out);
    assert.deepEqual(written, { path: out, answers: 3 });
    const html = await readFile(out, 'utf8');
    const loading = html.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)=[^>]*>/i);
    assert.equal(loading?.[0], undefined, 'no element loads anything from elsewhere');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);

    const browser = await ManagedBrowser.launch((await findChromium()).executablePath);
    try {
      const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const attempted: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        attempted.push(url);
        return route.abort();
      });
      await context.addInitScript(() => {
        const marks = window as unknown as { __csp: string[] };
        marks.__csp = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          marks.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
      const fileUrl = pathToFileURL(out).href;
      await page.goto(fileUrl);
      await page.waitForFunction(() => {
        const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
        const canvases = [...document.querySelectorAll('canvas')];
        return (
          chart !== undefined && canvases.length === 4 && canvases.every((canvas) => chart.getChart(canvas))
        );
      });

      const rate = await chartData(page, 'canvas[data-chart="mention_rate"][data-series="chatgpt/ui"]');
      assert.deepEqual(rate.labels, [D1, D2]);
      assert.deepEqual(rate.datasets.find((entry) => entry.label === 'Acme')?.data, [0.5, 1]);
      assert.deepEqual(rate.datasets.find((entry) => entry.label === EVIL_BRAND)?.data, [1, 0]);
      const domains = await chartData(page, 'canvas[data-chart="domains"]');
      assert.deepEqual(domains.labels, ['acme.com', EVIL_DOMAIN]);
      assert.deepEqual(domains.datasets[0]?.data, [2, 1]);
      await page.screenshot({ path: join(outputDir, 'report.png'), fullPage: true });

      const state = await page.evaluate(
        (names) => ({
          xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
          pwned: document.title === 'pwned',
          javascriptLinks: document.querySelectorAll('[href^="javascript:" i]').length,
          handlers: [...document.querySelectorAll('*')].flatMap((element) =>
            [...element.attributes].filter((attribute) => attribute.name.startsWith('on')).map((a) => a.name),
          ),
          payloadElements: document.querySelectorAll('img[src="x"], svg[onload]').length,
          scriptsWithPayload: [...document.querySelectorAll('script:not([type="application/json"])')].filter(
            (script) => /__xss|pwned/.test(script.textContent ?? ''),
          ).length,
          shown: names.every((name) => document.body.innerText.includes(name)),
          violations: (window as unknown as { __csp: string[] }).__csp,
        }),
        [EVIL_BRAND, EVIL_COMPETITOR, EVIL_DOMAIN],
      );
      assert.deepEqual(state, {
        xss: null,
        pwned: false,
        javascriptLinks: 0,
        handlers: [],
        payloadElements: 0,
        scriptsWithPayload: 0,
        shown: true,
        violations: [],
      });
      assert.deepEqual(problems, [], 'no console error');
      assert.deepEqual(attempted, [], 'no request left the file');
      assert.deepEqual(
        requests.filter((url) => url !== fileUrl),
        [],
        'the file asked for nothing else',
      );
      await context.close();
    } finally {
      await browser.close();
    }
  });

  test('the command writes the file it names, says where, and refuses a bad filter as a usage error', async (context) => {
    // A program per run: commander keeps option values from one parse to the next.
    const run = (args: string[]) => {
      const program = new Command('avt');
      registerReport(program);
      program.exitOverride();
      return program.parseAsync(['report', ...args], { from: 'user' });
    };
    const printed: string[] = [];
    context.mock.method(console, 'log', (line: string) => printed.push(line));
    const adminUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.url;
    try {
      const out = join(dir, 'cli.html');
      await run(['--out', out, '--since', D1, '--until', D2, '--ai-source', 'chatgpt']);
      assert.equal(printed.length, 1);
      assert.match(
        printed[0] ?? '',
        new RegExp(`^wrote ${out}: 3 answers from ${D1} to ${D2}; open file://`),
      );
      assert.match(await readFile(out, 'utf8'), /id="overview-data"/);

      await assert.rejects(
        run(['--out', out, '--since', '2025-13-01']),
        (error) => error instanceof UsageError && /since must be a day as YYYY-MM-DD/.test(error.message),
      );
      await assert.rejects(
        run(['--out', out, '--ai-source', 'bard']),
        (error) => error instanceof UsageError && /unknown 'bard'/.test(error.message),
      );
      await assert.rejects(
        run([]),
        (error) => error instanceof UsageError && /--out <file> is required/.test(error.message),
      );
    } finally {
      process.env.DATABASE_URL = adminUrl;
    }
  });
});
