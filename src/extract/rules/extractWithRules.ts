import type { AnswerInput, Extraction, TrackedBrand } from '../types.ts';
import { readAnswerHtml } from './answerHtml.ts';
import { compileBrandMatcher } from './brandMatcher.ts';
import { citationsOf, textLinks } from './citations.ts';
import { compileDomainOwners } from './domainOwners.ts';
import { mentionsOf } from './mentions.ts';
import { findUrlSpans } from './urlSpans.ts';

export interface RuleExtractor {
  extract(answer: AnswerInput): Extraction;
}

/**
 * The deterministic extractor, compiled once for a brand list. Mentions are read from the answer's text
 * (from its HTML when the text is empty), with every written URL masked first: a name inside a URL is a
 * citation, not a mention. Citations are the page's links, then the HTML's anchors, then the URLs written
 * in the text, each address once.
 */
export function createRuleExtractor(brands: readonly TrackedBrand[]): RuleExtractor {
  const matcher = compileBrandMatcher(brands);
  const owners = compileDomainOwners(brands);
  return {
    extract(answer) {
      const html = answer.html?.trim() ? readAnswerHtml(answer.html) : null;
      const text = answer.text.trim() ? answer.text : (html?.text ?? '');
      const urls = findUrlSpans(text);
      const mentions = mentionsOf(text, matcher.find(text, urls), brands, urls);
      const citations = citationsOf(
        [...(answer.links ?? []), ...(html?.anchors ?? []), ...textLinks(text, urls)],
        owners,
      );
      return { mentions, citations, discovered: [], method: 'rules' };
    },
  };
}

/** One answer with a one-off extractor; a worker keeps a `createRuleExtractor` per brand list instead. */
export function extractWithRules(answer: AnswerInput, brands: readonly TrackedBrand[]): Extraction {
  return createRuleExtractor(brands).extract(answer);
}
