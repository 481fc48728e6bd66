import { request } from 'undici';

export interface LlmProbe {
  ok: boolean;
  detail: string;
}

/**
 * Asks an OpenAI-compatible API for its models: any answer below 500 means it is there (a 401 is the key's
 * problem, not the endpoint's); a 5xx, a refused connection or no answer in 5 s means it is not.
 */
export async function probeLlmApi(baseUrl: string, apiKey: string | undefined): Promise<LlmProbe> {
  try {
    const response = await request(`${baseUrl.replace(/\/$/, '')}/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    await response.body.dump();
    return response.statusCode < 500
      ? { ok: true, detail: `answering (HTTP ${response.statusCode})` }
      : { ok: false, detail: `HTTP ${response.statusCode}` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
