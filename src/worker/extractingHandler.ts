import type { Extractor } from '../extract/extractor.ts';
import type { ExtractingJobHandler, JobHandler } from '../job/handler.ts';

/**
 * Adds the extraction step to a capturing job handler: what it captured goes through the extractor (rules,
 * then the LLM when configured), which builds the result the worker commits. A handler that says it
 * extracts for itself (`extracts: true`) is returned as it is.
 */
export function withExtraction(
  inner: JobHandler,
  extractor: Extractor,
  onExtracted: (method: 'llm' | 'rules') => void = () => {},
): ExtractingJobHandler {
  if (inner.extracts) return inner;
  return {
    extracts: true,
    async run(job) {
      const captured = await inner.run(job);
      const outcome = await extractor.extract(
        {
          text: captured.response.answerText,
          html: captured.response.answerHtml ?? null,
          links: captured.citations,
        },
        job.signal,
      );
      onExtracted(outcome.method);
      return {
        response: { ...captured.response, extractionMethod: outcome.method, reextract: outcome.reextract },
        mentions: outcome.mentions,
        citations: outcome.citations.map(({ brandName: _owner, ...citation }) => citation),
        discovered: outcome.discovered,
      };
    },
    ...(inner.close ? { close: () => inner.close?.() ?? Promise.resolve() } : {}),
  };
}
