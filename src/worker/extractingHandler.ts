import type { Extractor } from '../extract/extractor.ts';
import type { JobHandler } from './jobHandler.ts';

/**
 * Adds the extraction step to a job handler: the captured answer goes through the extractor (rules, then
 * the LLM when configured) before the worker commits it. A handler that returns mentions of its own has
 * extracted already and is left alone.
 */
export function withExtraction(
  inner: JobHandler,
  extractor: Extractor,
  onExtracted: (method: 'llm' | 'rules') => void = () => {},
): JobHandler {
  return {
    async run(job) {
      const result = await inner.run(job);
      if (result.mentions.length > 0) return result;
      const outcome = await extractor.extract(
        {
          text: result.response.answerText,
          html: result.response.answerHtml ?? null,
          links: result.citations.map((c) => ({ url: c.url, title: c.title ?? null })),
        },
        job.signal,
      );
      onExtracted(outcome.method);
      return {
        response: { ...result.response, extractionMethod: outcome.method, reextract: outcome.reextract },
        mentions: outcome.mentions,
        citations: outcome.citations.map(({ brandName: _owner, ...citation }) => citation),
        discovered: outcome.discovered,
      };
    },
  };
}
