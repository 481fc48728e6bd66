import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The six adapters, by the ai_sources name they capture. */
export const PLATFORMS = [
  'chatgpt',
  'gemini',
  'perplexity',
  'claude',
  'copilot',
  'google_ai_overview',
] as const;
export type Platform = (typeof PLATFORMS)[number];

const candidates = z.array(z.string().min(1));
const block = z.object({
  selectors: candidates.default([]),
  titles: candidates.default([]),
  texts: candidates.default([]),
  urlPatterns: candidates.default([]),
});

/**
 * A platform's UI as data: every role lists candidate selectors, preferred first (sites change and
 * aria-labels are localized; a UI change is an edit here, or a file in AVT_SELECTORS_DIR).
 */
export const platformSelectorsSchema = z.object({
  baseUrl: z.string().url(),
  /** Appended to baseUrl; `{prompt}` is replaced by the URL-encoded prompt. */
  startPath: z.string(),
  /** `input`: type into the page; `url`: the prompt is in the start URL (search engines). */
  submitVia: z.enum(['input', 'url']),
  input: candidates,
  submit: candidates,
  stop: candidates,
  /** The container of one answer; the last one is ours. Empty: the answer is looked up in the page. */
  turn: candidates,
  answer: candidates.min(1),
  streaming: candidates.default([]),
  finished: z.object({ scope: z.enum(['turn', 'page']), selectors: candidates }),
  citations: z.object({
    scope: z.enum(['turn', 'answer', 'page']),
    selectors: candidates,
    /** Clicked (if present) before citations are read, e.g. a "Sources" tab. */
    reveal: candidates.default([]),
  }),
  /** Query parameters the platform appends to cited links (utm_source=chatgpt.com). */
  stripParams: candidates.default([]),
  model: z.object({ selectors: candidates, attribute: z.string().optional() }).optional(),
  /** Clicked when present: consent banners, "stay logged out" modals. */
  dismiss: candidates.default([]),
  /** Clicked when present before reading: "Show more" expanders. */
  expand: candidates.default([]),
  /** Visible text meaning "no answer for this query" (a valid, empty capture). */
  absent: candidates.default([]),
  /** URL-mode pages: no answer container this long after load means there is no answer (valid, empty). */
  absentAfterMs: z.number().int().positive().optional(),
  blocks: z.object({ captcha: block, login: block, rateLimit: block }),
});

export type PlatformSelectors = z.infer<typeof platformSelectorsSchema>;

/** A selector file that does not parse or validate: names the file and the bad field. */
export class SelectorFileError extends Error {
  readonly file: string;
  constructor(file: string, detail: string, options?: ErrorOptions) {
    super(`selector file ${file} is invalid: ${detail}`, options);
    this.name = 'SelectorFileError';
    this.file = file;
  }
}

const builtInDir = fileURLToPath(new URL('./selectors/', import.meta.url));

/**
 * The selectors of one platform: `<dir>/<platform>.json` from AVT_SELECTORS_DIR when that file exists
 * (a site changed; no rebuild needed), else the built-in file.
 */
export function loadSelectors(
  platform: string,
  overrideDir = process.env.AVT_SELECTORS_DIR,
): PlatformSelectors {
  const override = overrideDir ? join(overrideDir, `${platform}.json`) : undefined;
  const file = override && existsSync(override) ? override : join(builtInDir, `${platform}.json`);
  if (!existsSync(file)) {
    throw new SelectorFileError(file, `no adapter for '${platform}'; adapters: ${PLATFORMS.join(', ')}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SelectorFileError(file, (error as Error).message, { cause: error });
  }
  const parsed = platformSelectorsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SelectorFileError(file, `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The start URL, with the base URL overridden (`--base-url`, `AVT_<SOURCE>_URL`) when given. */
export function startUrl(selectors: PlatformSelectors, prompt: string, baseUrl?: string): string {
  const base = baseUrl ?? selectors.baseUrl;
  const path = selectors.startPath.replace('{prompt}', encodeURIComponent(prompt));
  return `${base.endsWith('/') ? base : `${base}/`}${path}`;
}

/** `AVT_CHATGPT_URL`, `AVT_GOOGLE_AI_OVERVIEW_URL`, ... */
export function baseUrlFromEnv(platform: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`AVT_${platform.toUpperCase()}_URL`] || undefined;
}
