import type { ComposedAnswer } from './answer.ts';
import type { FaultKind } from './faults.ts';
import type { AnswerMarkup } from './render.ts';

export const FLAVOUR_NAMES = ['chatgpt', 'gemini', 'perplexity', 'claude', 'copilot', 'google'] as const;
export type FlavourName = (typeof FLAVOUR_NAMES)[number];

/** What a start page is rendered from. */
export interface StartPageContext {
  /** The flavour's prefix as a path: "/chatgpt/". */
  prefix: string;
  query: URLSearchParams;
  /**
   * Google only: the answer for the query, which sample it is (the stream asks for the same one), and the
   * fault its stream must show (hang or half).
   */
  answer?: ComposedAnswer;
  sample?: number;
  streamFault?: FaultKind;
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
  startPage(context: StartPageContext): string;
  blocks: FlavourBlocks;
}
