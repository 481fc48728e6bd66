import type { ComposedAnswer } from './answer.ts';
import type { BlockResponse } from './blockPages.ts';
import type { FaultKind } from './faults.ts';
import type { AnswerMarkup } from './render.ts';

export const FLAVOUR_NAMES = ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot', 'google'] as const;
export type FlavourName = (typeof FLAVOUR_NAMES)[number];

/** A GET for a page below a flavour's prefix. */
export interface SiteRequest {
  /** The flavour's prefix as a path: "/chatgpt/". */
  prefix: string;
  /** The path below the prefix, without its leading slash. */
  path: string;
  /** The request's URL, its path and query as sent. */
  url: URL;
}

/** The mock's answers, for a page that answers as it loads. */
export interface SiteAnswers {
  /** Draws the fault (if any) for an answer to `prompt`, and counts the answer. */
  drawFault(prompt: string): FaultKind | undefined;
  /** The next sample of the answer to `prompt`, and which one it is. */
  nextSample(prompt: string): { answer: ComposedAnswer; index: number };
}

/** What a start page is rendered from. */
export interface StartPageContext extends SiteRequest {
  /** Used by a page that answers as it loads (Google's search page); the chat sites answer on request. */
  answers: SiteAnswers;
}

/** The texts of a site's block pages, as in the `blocks` section of its selector file. */
export interface FlavourBlocks {
  rateLimit: { title: string; text: string };
  /** Cloudflare's interstitial, or Google's `/sorry/` page. */
  captcha: { kind: 'cloudflare'; text: string } | { kind: 'google' };
  /** The login wall's path below the prefix (query included) and its page. */
  login: { path: string; title: string; body: string };
  serverError: { title: string; text: string };
}

/** One imitated site: its pages, how it sets an answer, and how it refuses. */
export interface Flavour {
  name: FlavourName;
  /** The adapter's AI source, whose selector file this flavour reproduces. */
  source: string;
  /** The label the site shows for its model, or null where it shows none. */
  model: string | null;
  markup: AnswerMarkup;
  /** Whether `path` (below the prefix, without its leading slash) serves the start page. */
  isStartPage(path: string): boolean;
  /**
   * The start page's HTML; or, from a page that answers as it loads and meets a fault there, the block
   * page sent instead.
   */
  startPage(context: StartPageContext): string | BlockResponse;
  /**
   * Whether the answer request brings its fault and sample: the start page drew (and counted) them as it
   * loaded, so the request must not draw another.
   */
  answersFromRequest?: boolean;
  /** Where a bare prefix redirects (below the prefix), for a site whose start page is not the root. */
  rootRedirect?: string;
  /** Where the mock's index page links (below the prefix), if not where the root leads. */
  indexPath?: string;
  /** A page of the site's own that no shared route serves, or undefined for any other path. */
  route?(request: SiteRequest): BlockResponse | undefined;
  blocks: FlavourBlocks;
}
