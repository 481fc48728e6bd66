import type { IncomingMessage } from 'node:http';
import { FAULT_KINDS, type FaultKind } from './faults.ts';
import { LLM_FAULT_KINDS, type LlmFaultKind } from './llm/faults.ts';

export interface FlavourStats {
  /** Start pages served (for Google: search result pages, faulty ones included). */
  pageLoads: number;
  /** Answers asked for (for Google: searches). */
  answers: number;
  /** Answers streamed to the end. */
  completed: number;
  faults: Record<FaultKind, number>;
}

/** What POST /v1/chat/completions saw (`llm` in GET /stats). */
export interface LlmStats {
  /** Every request, whatever came of it. */
  requests: number;
  /** Answered 200 with a valid extraction reply (slow ones included). */
  accepted: number;
  /** Answered 429 by the rate limit. */
  rate_limited: number;
  /** Answered 400 (no JSON, no extraction request in it) or 401 (wrong API key). */
  invalid: number;
  /** Injected faults by kind. */
  faults: Record<LlmFaultKind, number>;
  /** Answers extracted in the accepted replies. */
  answers: number;
  /**
   * Epoch ms of each request the rate limit let through, oldest first: what the sliding window counts
   * (those that then met an injected fault included).
   */
  accepted_at: number[];
}

/** One request as the mock saw it, so tests can check what a browser context sent. */
export interface RequestRecord {
  at: string;
  method: string;
  /** Path and query. */
  path: string;
  flavour: string | null;
  cookie: string | null;
  acceptLanguage: string | null;
  userAgent: string | null;
  /** `Via`, `Forwarded` or `X-Forwarded-For`, whichever came: a sign the request passed a proxy. */
  via: string | null;
}

const REQUEST_LOG_SIZE = 200;

/** Counters per flavour and for the LLM, and a ring of the last requests; `reset` clears them all. */
export class MockStats {
  readonly #flavours: readonly string[];
  #counts = new Map<string, FlavourStats>();
  #requests: RequestRecord[] = [];
  #llm = emptyLlmStats();

  constructor(flavours: readonly string[]) {
    this.#flavours = flavours;
    this.reset();
  }

  reset(): void {
    this.#counts = new Map(this.#flavours.map((name) => [name, emptyStats()]));
    this.#requests = [];
    this.#llm = emptyLlmStats();
  }

  pageLoad(flavour: string): void {
    this.#get(flavour).pageLoads += 1;
  }

  answer(flavour: string, fault: FaultKind | undefined): void {
    const stats = this.#get(flavour);
    stats.answers += 1;
    if (fault) stats.faults[fault] += 1;
  }

  completed(flavour: string): void {
    this.#get(flavour).completed += 1;
  }

  llmRequest(): void {
    this.#llm.requests += 1;
  }

  /** The rate limit let a request through at `at` (epoch ms). */
  llmAdmitted(at: number): void {
    this.#llm.accepted_at.push(at);
  }

  llmAccepted(answers: number): void {
    this.#llm.accepted += 1;
    this.#llm.answers += answers;
  }

  llmRateLimited(): void {
    this.#llm.rate_limited += 1;
  }

  llmInvalid(): void {
    this.#llm.invalid += 1;
  }

  llmFault(kind: LlmFaultKind): void {
    this.#llm.faults[kind] += 1;
  }

  llmSnapshot(): LlmStats {
    return { ...this.#llm, faults: { ...this.#llm.faults }, accepted_at: [...this.#llm.accepted_at] };
  }

  record(request: IncomingMessage, flavour: string | null): void {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    };
    this.#requests.push({
      at: new Date().toISOString(),
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      flavour,
      cookie: header('cookie'),
      acceptLanguage: header('accept-language'),
      userAgent: header('user-agent'),
      via: header('via') ?? header('forwarded') ?? header('x-forwarded-for'),
    });
    if (this.#requests.length > REQUEST_LOG_SIZE)
      this.#requests.splice(0, this.#requests.length - REQUEST_LOG_SIZE);
  }

  snapshot(): Record<string, FlavourStats> {
    return Object.fromEntries(
      [...this.#counts].map(([name, s]) => [name, { ...s, faults: { ...s.faults } }]),
    );
  }

  requests(): RequestRecord[] {
    return [...this.#requests];
  }

  #get(flavour: string): FlavourStats {
    let stats = this.#counts.get(flavour);
    if (!stats) {
      stats = emptyStats();
      this.#counts.set(flavour, stats);
    }
    return stats;
  }
}

function emptyStats(): FlavourStats {
  return {
    pageLoads: 0,
    answers: 0,
    completed: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>,
  };
}

function emptyLlmStats(): LlmStats {
  return {
    requests: 0,
    accepted: 0,
    rate_limited: 0,
    invalid: 0,
    faults: Object.fromEntries(LLM_FAULT_KINDS.map((kind) => [kind, 0])) as Record<LlmFaultKind, number>,
    answers: 0,
    accepted_at: [],
  };
}
