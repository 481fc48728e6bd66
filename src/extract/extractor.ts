import type { Logger } from 'pino';
import type { LlmBatcher } from './llmBatcher.ts';
import { LlmError } from './llmErrors.ts';
import type { LlmExtractionRequest } from './llmProtocol.ts';
import { mergeLlmAnswer } from './mergeLlmAnswer.ts';
import { createRuleExtractor, type RuleExtractor } from './rules/extractWithRules.ts';
import type { AnswerInput, Extraction, TrackedBrand } from './types.ts';

export interface ExtractionOutcome extends Extraction {
  /** The LLM was configured but the rules stood in (breaker open, malformed reply, API down). */
  reextract: boolean;
}

/** What extraction derives from one brand list. */
interface CompiledBrands {
  brands: readonly TrackedBrand[];
  rules: RuleExtractor;
  llmBrands: LlmExtractionRequest['tracked_brands'];
  /** Names and aliases, lower case: an LLM "other brand" among them is tracked, not discovered. */
  trackedNames: ReadonlySet<string>;
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
  #compiled: CompiledBrands | undefined;

  readonly #options: ExtractorOptions;

  constructor(options: ExtractorOptions) {
    this.#options = options;
  }

  get usesLlm(): boolean {
    return this.#options.llm !== undefined;
  }

  async extract(answer: AnswerInput, signal?: AbortSignal): Promise<ExtractionOutcome> {
    const compiled = this.#compile(await this.#options.brands());
    const rules = compiled.rules.extract(answer);
    const { llm } = this.#options;
    if (!llm) return { ...rules, reextract: false };
    try {
      const reply = await llm.submit(answer.text, compiled.llmBrands, signal);
      return { ...mergeLlmAnswer(rules, reply, compiled.trackedNames), reextract: false };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      this.#options.logger.warn(
        { event: 'extract:rules_fallback', reason: error.name, err: error },
        `LLM extraction unavailable (${error.message}); rules used, reextract queued`,
      );
      return { ...rules, reextract: true };
    }
  }

  /** Once per brand list (the catalog hands back the same array until it re-reads the table). */
  #compile(brands: readonly TrackedBrand[]): CompiledBrands {
    if (this.#compiled?.brands !== brands) {
      this.#compiled = {
        brands,
        rules: createRuleExtractor(brands),
        llmBrands: brands.map((b) => ({ name: b.name, aliases: b.aliases })),
        trackedNames: new Set(brands.flatMap((b) => [b.name, ...b.aliases].map((n) => n.toLowerCase()))),
      };
    }
    return this.#compiled;
  }
}
