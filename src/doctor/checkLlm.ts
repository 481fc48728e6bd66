import { probeLlmApi } from '../extract/probeLlmApi.ts';
import type { Finding } from './finding.ts';

const CHECK = 'llm';

/** The LLM extractor's endpoint, when one is set: the workers send every answer there. */
export async function checkLlm(baseUrl: string | undefined, apiKey: string | undefined): Promise<Finding[]> {
  if (!baseUrl) {
    return [
      { check: CHECK, status: 'info', message: 'no LLM_BASE_URL: the rule extractor does all extraction' },
    ];
  }
  const probe = await probeLlmApi(baseUrl, apiKey);
  if (probe.ok) return [{ check: CHECK, status: 'ok', message: `${baseUrl}: ${probe.detail}` }];
  return [
    {
      check: CHECK,
      status: 'warn',
      message: `${baseUrl} is not answering (${probe.detail}); answers meanwhile are extracted by the rules and re-extracted once it is back`,
      fix: 'check LLM_BASE_URL and that the API is up and reachable from the workers',
    },
  ];
}
