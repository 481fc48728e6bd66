import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { LlmExtractionReply, LlmExtractionRequest } from '../../extract/llmProtocol.ts';
import type { ResolvedOptions } from '../options.ts';
import type { MockStats } from '../stats.ts';
import { extractReply } from './extractReply.ts';
import { checkLlmFaults, LlmFaultDrawer, type LlmFaultRates, parseLlmFaults } from './faults.ts';
import { SlidingWindowLimit } from './rateLimit.ts';

/** Larger bodies get a 400: a batch of answers is a few hundred kB at most. */
const MAX_BODY_BYTES = 10_000_000;
const DEFAULT_MODEL = 'mock-extractor';

const chatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z.array(z.object({ role: z.string(), content: z.unknown() })),
  stream: z.boolean().optional(),
});

const extractionRequestSchema = z.object({
  tracked_brands: z.array(
    z.object({ name: z.string().trim().min(1), aliases: z.array(z.string()).default([]) }),
  ),
  answers: z.array(z.object({ id: z.string(), text: z.string() })),
});

/**
 * The mock LLM: an OpenAI-compatible POST /v1/chat/completions that answers the extractor's request
 * (src/extract/llmProtocol.ts) with `extractReply`, behind a sliding-window rate limit and seeded faults
 * that can be switched at run time (POST /v1/_mock/faults).
 */
export class MockLlm {
  readonly #config: ResolvedOptions;
  readonly #stats: MockStats;
  readonly #limit: SlidingWindowLimit;
  readonly #drawer: LlmFaultDrawer;
  /** Replies waiting out their latency, aborted by `close`. */
  readonly #pending = new Set<AbortController>();
  #completions = 0;
  #malformed = 0;

  constructor(config: ResolvedOptions, stats: MockStats) {
    this.#config = config;
    this.#stats = stats;
    this.#limit = new SlidingWindowLimit(config.llmRatePerMin);
    this.#drawer = new LlmFaultDrawer(config.llmFaults, config.seed);
  }

  /** Replaces the fault rates (an object, or the `--llm-faults` text); `{}` clears them. */
  setFaults(rates: LlmFaultRates | string): LlmFaultRates {
    this.#drawer.set(typeof rates === 'string' ? parseLlmFaults(rates) : checkLlmFaults(rates));
    return this.#drawer.rates;
  }

  /** Empties the rate limit's window, so a reset mock limits like a fresh one. */
  resetWindow(): void {
    this.#limit.reset();
  }

  close(): void {
    for (const pending of this.#pending) pending.abort();
  }

  /** POST /v1/chat/completions */
  async chatCompletions(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const config = this.#config;
    const stats = this.#stats;
    stats.llmRequest();
    if (config.llmApiKey !== undefined && request.headers.authorization !== `Bearer ${config.llmApiKey}`) {
      stats.llmInvalid();
      return sendError(
        response,
        401,
        'Incorrect API key provided.',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
    const body = await readBody(request);
    const parsed = parseChatRequest(body);
    if (typeof parsed === 'string') {
      stats.llmInvalid();
      return sendError(response, 400, parsed, 'invalid_request_error');
    }

    const now = Date.now();
    const gate = this.#limit.admit(now);
    if (!gate.admitted) {
      stats.llmRateLimited();
      config.logger?.debug(
        { event: 'mock:llm:rate_limited', retry_after_s: gate.retryAfterS },
        'rate limited',
      );
      return sendError(
        response,
        429,
        `Rate limit reached: ${config.llmRatePerMin} requests per min. Please try again in ${gate.retryAfterS}s.`,
        'rate_limit_exceeded',
        'rate_limit_exceeded',
        { 'retry-after': String(gate.retryAfterS) },
      );
    }
    stats.llmAdmitted(now);
    const fault = this.#drawer.draw();
    if (fault) {
      stats.llmFault(fault);
      config.logger?.debug({ event: 'mock:llm:fault', fault }, `LLM fault ${fault}`);
    }
    const delay = config.llmLatencyMs + (fault === 'slow' ? config.llmSlowMs : 0);
    if (!(await this.#wait(delay, response))) return;
    if (fault === '500') {
      return sendError(
        response,
        500,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
      );
    }

    const reply = extractReply(parsed.extraction, config.brands);
    let content = JSON.stringify(reply);
    if (fault === 'malformed') content = this.#malformedContent(content, reply);
    else stats.llmAccepted(reply.answers.length);
    // a rough 4 characters a token, enough for clients that log usage
    const promptTokens = Math.ceil(Buffer.byteLength(body ?? '') / 4);
    const completionTokens = Math.ceil(content.length / 4);
    sendJson(response, 200, {
      id: `chatcmpl-mock-${++this.#completions}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: parsed.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  /** POST /v1/_mock/faults with rates such as {"500": 1}; {} clears them. */
  async faultsRoute(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    try {
      const faults = this.setFaults(JSON.parse(body ?? '') as LlmFaultRates);
      this.#config.logger?.info({ event: 'mock:llm:faults', faults }, 'LLM faults set');
      sendJson(response, 200, { faults });
    } catch (error) {
      sendError(response, 400, (error as Error).message, 'invalid_request_error');
    }
  }

  /** Alternately JSON cut short and valid JSON of the wrong shape: both must fail the client's check. */
  #malformedContent(json: string, reply: LlmExtractionReply): string {
    this.#malformed += 1;
    if (this.#malformed % 2 === 1) return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    return JSON.stringify({
      results: reply.answers.map((a) => ({ id: a.id, brands: a.mentions.map((m) => m.brand) })),
    });
  }

  /** Waits `ms`; false when the client went away or the mock closed meanwhile. */
  async #wait(ms: number, response: ServerResponse): Promise<boolean> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    this.#pending.add(controller);
    response.once('close', abort);
    try {
      await sleep(ms, undefined, { signal: controller.signal });
      return true;
    } catch {
      return false;
    } finally {
      this.#pending.delete(controller);
      response.off('close', abort);
    }
  }
}

/** The extraction request in the last user message, or why there is none (the 400's message). */
function parseChatRequest(
  body: string | undefined,
): { model: string; extraction: LlmExtractionRequest } | string {
  if (body === undefined) return `The request body is larger than ${MAX_BODY_BYTES} bytes.`;
  const chat = parseJsonAs(
    body,
    chatRequestSchema,
    'We could not parse the JSON body of your request.',
    'Invalid chat completion request',
  );
  if (typeof chat === 'string') return chat;
  if (chat.stream) return 'The mock LLM does not stream: leave out "stream" or set it to false.';
  const content = chat.messages.findLast((m) => m.role === 'user')?.content;
  if (typeof content !== 'string') return 'The request has no user message with text content.';
  const extraction = parseJsonAs(
    content,
    extractionRequestSchema,
    'The last user message is not JSON; it must be {"tracked_brands": [...], "answers": [...]}.',
    'The last user message is not an extraction request',
  );
  if (typeof extraction === 'string') return extraction;
  return { model: chat.model ?? DEFAULT_MODEL, extraction };
}

/** `text` as JSON of `schema`, or the 400's message: `notJson`, or `invalid` with what the schema found. */
function parseJsonAs<T>(text: string, schema: z.ZodType<T>, notJson: string, invalid: string): T | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return notJson;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : `${invalid}: ${z.prettifyError(parsed.error)}`;
}

/** The body as text, or undefined past MAX_BODY_BYTES (read to the end all the same, so a reply can follow). */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined),
    );
    request.on('error', reject);
  });
}

/** OpenAI's error shape: {error: {message, type, code}}. */
function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: { message, type, param: null, code } }, headers);
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
