/** What a job produces for one run: the captured answer, and the mentions and citations extracted from it. */

export interface CapturedResponse {
  answerText: string;
  answerHtml?: string | null;
  model?: string | null;
  captureMode?: 'ui' | 'api';
  capturedAt?: Date;
  durationMs?: number | null;
  extractionMethod?: 'llm' | 'rules';
  /** Rules stood in for the LLM: enqueue the `reextract` job for this response in the same transaction. */
  reextract?: boolean;
}

export interface BrandMention {
  brandId: string | null;
  brandName: string;
  position: number;
  mentionCount: number;
  sentiment?: 'positive' | 'neutral' | 'negative' | null;
  recommended?: boolean | null;
  snippet?: string | null;
}

export interface Citation {
  position: number;
  url: string;
  domain: string;
  title?: string | null;
  brandId?: string | null;
  quote?: string | null;
}

/** An untracked brand the answer names (reported by the LLM extractor). */
export interface DiscoveredCompetitor {
  name: string;
  sentiment?: 'positive' | 'neutral' | 'negative' | null;
}

/** A link the answer cites, as the page showed it (sources panel, citation chips), in page order. */
export interface AnswerLink {
  url: string;
  title?: string | null;
}

/** What a capture saw, before extraction: the answer, and the links it cites. */
export interface CapturedAnswer {
  response: CapturedResponse;
  citations: AnswerLink[];
}

/** What a job produces for one run: the answer with what was extracted from it, ready to commit. */
export interface RunResult {
  response: CapturedResponse;
  mentions: BrandMention[];
  citations: Citation[];
  discovered?: DiscoveredCompetitor[];
}
