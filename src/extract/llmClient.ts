import { Agent, errors, request } from 'undici';
import { retryAfterFromHeader } from '../retryAfter.ts';
import type { LlmConfig } from './llmConfig.ts';
import {
  LlmMalformedReplyError,
  LlmRateLimitedError,
  LlmRequestRejectedError,
  LlmServerError,
  LlmTimeoutError,
} from './llmErrors.ts';
import {
  extractionReplySchema,
  type LlmExtractionReply,
  type LlmExtractionRequest,
  RESPONSE_FORMAT,
  SYSTEM_PROMPT,
} from './llmProtocol.ts';

/** When a 429 says nothing about when to come back. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

/** One HTTP request to an OpenAI-compatible /chat/completions endpoint; typed errors, no retries here. */
export class LlmClient {
  readonly #url: string;
  readonly #agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });

  readonly #config: Pick<LlmConfig, 'baseUrl' | 'apiKey' | 'model' | 'timeoutMs'>;

  constructor(config: Pick<LlmConfig, 'baseUrl' | 'apiKey' | 'model' | 'timeoutMs'>) {
    this.#config = config;
    this.#url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  async extract(body: LlmExtractionRequest, signal?: AbortSignal): Promise<LlmExtractionReply> {
    const timeout = AbortSignal.timeout(this.#config.timeoutMs);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(this.#url, {
        method: 'POST',
        dispatcher: this.#agent,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: {
          'content-type': 'application/json',
          ...(this.#config.apiKey ? { authorization: `Bearer ${this.#config.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.#config.model,
          temperature: 0,
          response_format: RESPONSE_FORMAT,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: JSON.stringify(body) },
          ],
        }),
      });
    } catch (error) {
      throw this.#transportError(error, timeout, signal);
    }

    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.#transportError(error, timeout, signal);
    }
    const { statusCode } = response;
    if (statusCode === 429) {
      const header = response.headers['retry-after'];
      const seconds = retryAfterFromHeader(Array.isArray(header) ? header[0] : header);
      const wait = seconds === undefined ? DEFAULT_RETRY_AFTER_MS : seconds * 1000;
      throw new LlmRateLimitedError(`the LLM API is rate limiting (429); retry after ${wait} ms`, wait);
    }
    if (statusCode >= 500)
      throw new LlmServerError(`the LLM API failed with ${statusCode}: ${excerpt(text)}`);
    if (statusCode >= 400) {
      throw new LlmRequestRejectedError(
        `the LLM API rejected the request with ${statusCode} (check LLM_BASE_URL, LLM_API_KEY, LLM_MODEL): ${excerpt(text)}`,
      );
    }
    return parseReply(text);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  #transportError(error: unknown, timeout: AbortSignal, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return error as Error;
    if (
      timeout.aborted ||
      error instanceof errors.HeadersTimeoutError ||
      error instanceof errors.BodyTimeoutError
    ) {
      return new LlmTimeoutError(`the LLM API did not answer within ${this.#config.timeoutMs} ms`, {
        cause: error,
      });
    }
    return new LlmServerError(`cannot reach the LLM API at ${this.#url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A chat completion's content, parsed and checked against the extraction schema. */
function parseReply(body: string): LlmExtractionReply {
  let content: unknown;
  try {
    content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message
      ?.content;
  } catch {
    throw new LlmMalformedReplyError(`the LLM API's reply is not JSON: ${excerpt(body)}`);
  }
  if (typeof content !== 'string') throw new LlmMalformedReplyError('the LLM reply has no message content');
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new LlmMalformedReplyError(`the LLM's answer is not JSON: ${excerpt(content)}`);
  }
  const parsed = extractionReplySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LlmMalformedReplyError(
      `the LLM's answer does not match the extraction schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
