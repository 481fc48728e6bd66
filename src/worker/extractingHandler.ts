import type { Extractor } from '../extract/extractor.ts';
import type { ExtractingJobHandler, JobHandler } from '../job/handler.ts';

/** What a job's two steps took, for the metrics. */
export interface ExtractionHooks {
  /** A capture succeeded after this many seconds (the browser part of the job). */
  onCaptured?(seconds: number): void;
  /** The extraction that followed used this method and took this many seconds. */
  onExtracted?(method: 'llm' | 'rules', seconds: number): void;
}

const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * Adds the extraction step to a capturing job handler: what it captured goes through the extractor (rules,
 * then the LLM when configured), which builds the result the worker commits. A handler that says it
 * extracts for itself (`extracts: true`) is kept as it is, its whole run timed as the capture.
 */
export function withExtraction(
  inner: JobHandler,
  extractor: Extractor,
  hooks: ExtractionHooks = {},
): ExtractingJobHandler {
  const close = inner.close ? { close: () => inner.close?.() ?? Promise.resolve() } : {};
  if (inner.extracts) {
    if (!hooks.onCaptured) return inner;
    return {
      extracts: true,
      async run(job) {
        const start = performance.now();
        const result = await inner.run(job);
        hooks.onCaptured?.(secondsSince(start));
        return result;
      },
      ...close,
    };
  }
  return {
    extracts: true,
    async run(job) {
      const start = performance.now();
      const captured = await inner.run(job);
      hooks.onCaptured?.(secondsSince(start));
      const extractStart = performance.now();
      const outcome = await extractor.extract(
        {
          text: captured.response.answerText,
          html: captured.response.answerHtml ?? null,
          links: captured.citations,
        },
        job.signal,
      );
      hooks.onExtracted?.(outcome.method, secondsSince(extractStart));
      return {
        response: { ...captured.response, extractionMethod: outcome.method, reextract: outcome.reextract },
        mentions: outcome.mentions,
        citations: outcome.citations.map(({ brandName: _owner, ...citation }) => citation),
        discovered: outcome.discovered,
      };
    },
    ...close,
  };
}
