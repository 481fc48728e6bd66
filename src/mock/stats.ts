import type { IncomingMessage } from 'node:http';
import { FAULT_KINDS, type FaultKind } from './faults.ts';

export interface FlavourStats {
  /** Start pages served (for Google: search result pages, faulty ones included). */
  pageLoads: number;
  /** Answers asked for (for Google: searches). */
  answers: number;
  /** Answers streamed to the end. */
  completed: number;
  faults: Record<FaultKind, number>;
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

/** Counters per flavour and a ring of the last requests; `reset` clears both. */
export class MockStats {
  readonly #flavours: readonly string[];
  #counts = new Map<string, FlavourStats>();
  #requests: RequestRecord[] = [];

  constructor(flavours: readonly string[]) {
    this.#flavours = flavours;
    this.reset();
  }

  reset(): void {
    this.#counts = new Map(this.#flavours.map((name) => [name, emptyStats()]));
    this.#requests = [];
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
