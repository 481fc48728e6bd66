import type { Page, Response } from 'playwright-core';
import { CaptchaError, type JobError, LoginRequiredError, RateLimitedError } from '../worker/jobErrors.ts';
import type { PlatformSelectors } from './selectors.ts';

type Blocks = PlatformSelectors['blocks'];
type BlockKind = keyof Blocks;

/** "Try again in 30 seconds" / "in 5 minutes" → seconds. */
export function retryAfterFromText(text: string): number | undefined {
  const match = /try again in (\d+)\s*(second|minute|hour)/i.exec(text);
  if (!match) return undefined;
  const unit = match[2]?.toLowerCase();
  return Number(match[1]) * (unit === 'hour' ? 3600 : unit === 'minute' ? 60 : 1);
}

/** Retry-After header: seconds, or an HTTP date. */
export function retryAfterFromHeader(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function matches(page: Page, block: Blocks[BlockKind], bodyText: string | null, title: string) {
  const url = page.url();
  if (block.urlPatterns.some((pattern) => url.includes(pattern))) return `the page went to ${url}`;
  const titled = block.titles.find((t) => title.toLowerCase().includes(t.toLowerCase()));
  if (titled) return `the page title is "${title}"`;
  for (const selector of block.selectors) {
    if ((await page.locator(selector).count()) > 0) return `the page has ${selector}`;
  }
  if (bodyText !== null) {
    const lower = bodyText.toLowerCase();
    const text = block.texts.find((t) => lower.includes(t.toLowerCase()));
    if (text) return `the page says "${text}"`;
  }
  return null;
}

/**
 * Recognises a captcha/bot check, a login wall or a rate-limit page and returns the typed error for it.
 * Texts are only matched when `matchTexts` (not while an answer is on the page: it may quote them).
 */
export async function detectBlock(
  page: Page,
  blocks: Blocks,
  options: { matchTexts: boolean; response?: Response | null },
): Promise<JobError | null> {
  const title = await page.title().catch(() => '');
  const bodyText = options.matchTexts
    ? await page
        .evaluate(() => document.body?.innerText ?? '')
        .catch(() => '')
        .then((text) => text.slice(0, 20_000))
    : null;
  const captcha = await matches(page, blocks.captcha, bodyText, title);
  if (captcha) return new CaptchaError(`captcha or bot check: ${captcha}`);
  const login = await matches(page, blocks.login, bodyText, title);
  if (login) return new LoginRequiredError(`login wall: ${login}`);
  const status = options.response?.status();
  const limited = status === 429 ? `HTTP 429` : await matches(page, blocks.rateLimit, bodyText, title);
  if (limited) {
    const retryAfter =
      retryAfterFromHeader(options.response?.headers()['retry-after']) ?? retryAfterFromText(bodyText ?? '');
    return new RateLimitedError(`rate limited: ${limited}`, retryAfter);
  }
  return null;
}
