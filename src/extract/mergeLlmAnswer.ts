import type { LlmAnswer } from './llmBatcher.ts';
import type { Extraction } from './types.ts';

/**
 * The rules' exact mentions and citations, with what only the LLM can tell: each mention's sentiment and
 * whether it is recommended, and the untracked brands the answer names. Positions and counts stay the
 * rules' own, so the numbers do not depend on the model.
 */
export function mergeLlmAnswer(
  rules: Extraction,
  answer: LlmAnswer,
  /** Tracked names and aliases, lower case. */
  tracked: ReadonlySet<string>,
): Extraction {
  const byBrand = new Map(answer.mentions.map((m) => [m.brand.toLowerCase(), m]));
  const discovered = new Map<string, Extraction['discovered'][number]>();
  for (const other of answer.other_brands) {
    const key = other.name.trim().toLowerCase();
    if (key && !tracked.has(key) && !discovered.has(key)) {
      discovered.set(key, { name: other.name.trim(), sentiment: other.sentiment });
    }
  }
  return {
    mentions: rules.mentions.map((mention) => {
      const llm = byBrand.get(mention.brandName.toLowerCase());
      return { ...mention, sentiment: llm?.sentiment ?? null, recommended: llm?.recommended ?? null };
    }),
    citations: rules.citations,
    discovered: [...discovered.values()],
    method: 'llm',
  };
}
