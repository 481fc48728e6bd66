import type { Logger } from 'pino';
import type { LlmBatcher } from './llmBatcher.ts';
import { LlmError } from './llmErrors.ts';
import { mergeLlmAnswer } from './mergeLlmAnswer.ts';
import { createRuleExtractor, type RuleExtractor } from './rules/extractWithRules.ts';
import type { AnswerInput, Extraction, TrackedBrand } from './types.ts';

export interface ExtractionOutcome extends Extraction {
  /** The LLM was configured but the rules stood in (breaker open, malformed reply, API down). */
  reextract: boolean;
}

export interface ExtractorOptions {
  brands: () => Promise<readonly TrackedBrand[]>;
  /** undefined: no LLM configured; rules only. */
  llm: LlmBatcher | undefined;
  logger: Logger;
}

/**
 * The extraction step of a job: the rule extractor always (exact mentions, positions, citations), then the
 * LLM for sentiment, recommendations and untracked brands. When the LLM cannot help, the rules' result
 * stands, marked for `reextract`; an LLM problem never fails a job.
 */
export class Extractor {
  #rules: { brands: readonly TrackedBrand[]; extractor: RuleExtractor } | undefined;

  readonly #options: ExtractorOptions;

  constructor(options: ExtractorOptions) {
    this.#options = options;
  }

  get usesLlm(): boolean {
    return this.#options.llm !== undefined;
  }

  async extract(answer: AnswerInput, signal?: AbortSignal): Promise<ExtractionOutcome> {
    const brands = await this.#options.brands();
    const rules = this.#ruleExtractor(brands).extract(answer);
    const { llm } = this.#options;
    if (!llm) return { ...rules, reextract: false };
    try {
      const reply = await llm.submit(
        answer.text,
        brands.map((b) => ({ name: b.name, aliases: [...b.aliases] })),
        signal,
      );
      return { ...mergeLlmAnswer(rules, reply, brands), reextract: false };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      this.#options.logger.warn(
        { event: 'extract:rules_fallback', reason: error.name, err: error },
        `LLM extraction unavailable (${error.message}); rules used, reextract queued`,
      );
      return { ...rules, reextract: true };
    }
  }

  /** Compiled once per brand list (the catalog hands back the same array until it re-reads the table). */
  #ruleExtractor(brands: readonly TrackedBrand[]): RuleExtractor {
    if (this.#rules?.brands !== brands) this.#rules = { brands, extractor: createRuleExtractor(brands) };
    return this.#rules.extractor;
  }
}
