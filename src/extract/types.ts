import type { AnswerLink, BrandMention, Citation, DiscoveredCompetitor } from '../job/result.ts';

/** A tracked brand as the extractors see it: a row of `brands` (id null when read from a --brands file). */
export interface TrackedBrand {
  id: string | null;
  name: string;
  aliases: readonly string[];
  domains: readonly string[];
}

/** One answer to extract from: its text, and where known its HTML and the links the page showed. */
export interface AnswerInput {
  text: string;
  html?: string | null;
  links?: readonly AnswerLink[];
}

/** A citation with the name of the tracked brand that owns its domain (null when none does). */
export type ExtractedCitation = Citation & { brandName: string | null };

/** What an extractor makes of one answer. */
export interface Extraction {
  mentions: BrandMention[];
  citations: ExtractedCitation[];
  /** Untracked brands the answer names (the LLM finds these; rules cannot). */
  discovered: DiscoveredCompetitor[];
  method: 'llm' | 'rules';
}
