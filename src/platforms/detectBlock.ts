import type { Response } from 'playwright-core';
import { CaptchaError, type JobError, LoginRequiredError, RateLimitedError } from '../job/errors.ts';
import { retryAfterFromHeader } from '../retryAfter.ts';
import type { PageProbe } from './pageProbe.ts';
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

/** What the page shows, as far as block recognition needs it. */
export type BlockObservation = Pick<PageProbe, 'url' | 'title' | 'blockSelector' | 'bodyText'>;

function reason(kind: BlockKind, block: Blocks[BlockKind], seen: BlockObservation): string | null {
  if (block.urlPatterns.some((pattern) => seen.url.includes(pattern))) return `the page went to ${seen.url}`;
  const title = block.titles.find((t) => seen.title.toLowerCase().includes(t.toLowerCase()));
  if (title) return `the page title is "${seen.title}"`;
  if (seen.blockSelector?.kind === kind) return `the page has ${seen.blockSelector.selector}`;
  if (seen.bodyText !== null) {
    const lower = seen.bodyText.toLowerCase();
    const text = block.texts.find((t) => lower.includes(t.toLowerCase()));
    if (text) return `the page says "${text}"`;
  }
  return null;
}

/**
 * Recognises a captcha/bot check, a login wall or a rate-limit page and returns its typed error. Texts are
 * matched only when the observation carries the body text (not while an answer is on the page: it may
 * quote them). An HTTP 429 is a rate limit whatever the page says; Retry-After comes from the header or
 * the page's "try again in ...".
 */
export function matchBlock(
  blocks: Blocks,
  seen: BlockObservation,
  response: Response | null,
): JobError | null {
  const captcha = reason('captcha', blocks.captcha, seen);
  if (captcha) return new CaptchaError(`captcha or bot check: ${captcha}`);
  const login = reason('login', blocks.login, seen);
  if (login) return new LoginRequiredError(`login wall: ${login}`);
  const limited = response?.status() === 429 ? 'HTTP 429' : reason('rateLimit', blocks.rateLimit, seen);
  if (limited) {
    const retryAfter =
      retryAfterFromHeader(response?.headers()['retry-after']) ?? retryAfterFromText(seen.bodyText ?? '');
    return new RateLimitedError(`rate limited: ${limited}`, retryAfter);
  }
  return null;
}
