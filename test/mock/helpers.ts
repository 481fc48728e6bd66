import { readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { findChromium } from '../../src/browser/findChromium.ts';
import { CHROMIUM_ARGS } from '../../src/browser/launchFlags.ts';
import { flavourFor } from '../../src/mock/flavours/index.ts';

/** A selector file's `blocks` entry: any matching signal means the page is that block. */
export interface BlockSignals {
  selectors: string[];
  titles: string[];
  texts: string[];
  urlPatterns: string[];
}

/** The parts of src/platforms/selectors/<source>.json the mock must satisfy. */
export interface SelectorFile {
  baseUrl: string;
  startPath: string;
  submitVia: 'input' | 'url';
  input: string[];
  submit: string[];
  stop: string[];
  turn: string[];
  answer: string[];
  streaming: string[];
  expand?: string[];
  absent?: string[];
  finished: { scope: 'page' | 'turn'; selectors: string[] };
  citations: { scope: 'page' | 'turn'; selectors: string[] };
  stripParams: string[];
  model?: { selectors: string[]; attribute?: string };
  blocks: { captcha: BlockSignals; login: BlockSignals; rateLimit: BlockSignals };
}

export function selectorFile(flavour: string): SelectorFile {
  const source = flavourFor(flavour)?.source ?? flavour;
  const url = new URL(`../../src/platforms/selectors/${source}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SelectorFile;
}

/** The first candidate of a role: the one the real site is expected to match today. */
export function preferred(candidates: readonly string[] | undefined, role: string): string {
  const first = candidates?.[0];
  if (!first) throw new Error(`the selector file has no candidate for ${role}`);
  return first;
}

/** The start URL the adapter would open: baseUrl replaced by the mock's prefix, startPath appended. */
export function startUrl(origin: string, flavour: string, prompt = ''): string {
  const file = selectorFile(flavour);
  return `${origin}/${flavour}/${file.startPath.replace('{prompt}', encodeURIComponent(prompt))}`;
}

export function launchBrowser(): Promise<Browser> {
  return findChromium().then(({ executablePath }) =>
    chromium.launch({ executablePath, args: CHROMIUM_ARGS }),
  );
}

/** Collects what a page logs as an error (console errors and uncaught exceptions). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Which of a block's signals the page shows (empty: the page is not that block). */
export async function blockHits(page: Page, block: BlockSignals): Promise<string[]> {
  const hits: string[] = [];
  for (const selector of block.selectors) {
    if ((await page.locator(selector).count()) > 0) hits.push(`selector ${selector}`);
  }
  const title = await page.title();
  for (const t of block.titles) if (title.includes(t)) hits.push(`title ${t}`);
  const text = (
    await page
      .locator('body')
      .innerText()
      .catch(() => '')
  ).toLowerCase();
  for (const t of block.texts) if (text.includes(t.toLowerCase())) hits.push(`text ${t}`);
  for (const pattern of block.urlPatterns) if (page.url().includes(pattern)) hits.push(`url ${pattern}`);
  return hits;
}

/** Types `prompt` into the preferred input and clicks the preferred send button. */
export async function submitPrompt(page: Page, flavour: string, prompt: string): Promise<void> {
  const file = selectorFile(flavour);
  await page.locator(preferred(file.input, 'input')).fill(prompt);
  await page.locator(preferred(file.submit, 'submit')).click();
}

/** Five questions a CRM buyer asks, for each topic, in order: prompts for tests over the mock's answers. */
export function crmPrompts(topics: readonly string[]): string[] {
  return topics.flatMap((topic) => [
    `best CRM for ${topic}`,
    `Which CRM should ${topic} use in 2026?`,
    `cheapest CRM for ${topic}`,
    `CRM with the best email integration for ${topic}`,
    `compare CRM tools for ${topic}`,
  ]);
}
