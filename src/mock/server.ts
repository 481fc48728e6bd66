import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeAnswer } from './answer.ts';
import {
  type BlockResponse,
  blankPage,
  cloudflarePage,
  faultPath,
  loginPage,
  rateLimitPage,
  redirectResponse,
  serverErrorPage,
  TURNSTILE_PATH,
  turnstileFrame,
} from './blockPages.ts';
import { FaultDrawer, type FaultKind } from './faults.ts';
import { FLAVOUR_NAMES, type Flavour, type FlavourName, type SiteAnswers } from './flavour.ts';
import { FLAVOURS } from './flavours/index.ts';
import { answerLatency } from './latency.ts';
import { MockLlm } from './llm/endpoint.ts';
import type { LlmFaultRates } from './llm/faults.ts';
import { type MockPlatformOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { SampleCounter } from './samples.ts';
import { type FlavourStats, type LlmStats, MockStats, type RequestRecord } from './stats.ts';
import { streamAnswer } from './streaming.ts';

export interface MockPlatform {
  /** The server's origin, e.g. http://127.0.0.1:4010; a flavour lives under `${url}/<flavour>/`. */
  url: string;
  port: number;
  /** The mock LLM's base URL for an OpenAI client, `${url}/v1` (it serves POST /chat/completions). */
  llmBaseUrl: string;
  stats(): Record<FlavourName, FlavourStats>;
  /** What the mock LLM saw (`llm` in GET /stats). */
  llmStats(): LlmStats;
  /** Replaces the LLM fault rates at run time (what POST /v1/_mock/faults does); `{}` clears them. */
  setLlmFaults(rates: LlmFaultRates | string): LlmFaultRates;
  /** The last ~200 requests, oldest first (what GET /requests returns). */
  requests(): RequestRecord[];
  /** Clears the counters, the request log and the LLM rate limit's window (what POST /stats/reset does). */
  resetStats(): void;
  /** Stops every stream, drops every connection and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts the bundled mock AI platform: six imitated sites, one per adapter, under /chatgpt/, /gemini/,
 * /perplexity/, /claude/, /copilot/ and /google/; the mock LLM at POST /v1/chat/completions (faults
 * switched by POST /v1/_mock/faults); and GET /stats, GET /requests and POST /stats/reset.
 */
export async function startMockPlatform(options: MockPlatformOptions = {}): Promise<MockPlatform> {
  const config = resolveOptions(options);
  const stats = new MockStats(FLAVOUR_NAMES);
  const drawer = new FaultDrawer(config.faults, config.seed);
  const streams = new Set<() => void>();
  const llm = new MockLlm(config, stats);
  const samples = new SampleCounter(config.sampling);
  const context: Context = { config, stats, drawer, streams, llm, samples };

  const server = createServer((request, response) => {
    route(context, request, response).catch((error: Error) => {
      config.logger?.error({ event: 'mock:request:failed', err: error, path: request.url }, 'request failed');
      if (!response.headersSent) send(response, { status: 500, headers: {}, body: 'mock platform error\n' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    llmBaseUrl: `${url}/v1`,
    stats: () => stats.snapshot() as Record<FlavourName, FlavourStats>,
    llmStats: () => stats.llmSnapshot(),
    setLlmFaults: (rates) => llm.setFaults(rates),
    requests: () => stats.requests(),
    resetStats: () => resetStats(context),
    close: () =>
      new Promise<void>((resolve) => {
        for (const stop of streams) stop();
        llm.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Context {
  config: ResolvedOptions;
  stats: MockStats;
  drawer: FaultDrawer;
  streams: Set<() => void>;
  llm: MockLlm;
  samples: SampleCounter;
}

function resetStats({ stats, llm }: Context): void {
  stats.reset();
  llm.resetWindow();
}

async function route(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { stats } = context;
  const url = new URL(request.url ?? '/', 'http://mock.invalid');
  const method = request.method ?? 'GET';
  const path = url.pathname;
  if (path === '/healthz') return sendJson(response, { status: 'ok' });
  if (path === '/stats' && method === 'GET') {
    return sendJson(response, { ...stats.snapshot(), llm: stats.llmSnapshot() });
  }
  if (path === '/requests' && method === 'GET') return sendJson(response, stats.requests());
  if (path === '/stats/reset' && method === 'POST') {
    resetStats(context);
    return sendJson(response, { reset: true });
  }

  const name = path.split('/')[1] ?? '';
  const flavour = (FLAVOUR_NAMES as readonly string[]).includes(name)
    ? FLAVOURS[name as FlavourName]
    : undefined;
  stats.record(request, flavour?.name ?? null);
  context.config.logger?.debug(
    { event: 'mock:request', method, path: request.url, flavour: flavour?.name },
    'request',
  );
  if (method === 'POST' && path === '/v1/chat/completions')
    return context.llm.chatCompletions(request, response);
  if (method === 'POST' && path === '/v1/_mock/faults') return context.llm.faultsRoute(request, response);
  if (path === '/favicon.ico') return send(response, { status: 204, headers: {}, body: '' });
  if (path === TURNSTILE_PATH) return send(response, turnstileFrame());
  if (path === '/') return send(response, indexPage());
  if (!flavour) return send(response, notFound());
  if (path === `/${flavour.name}`) return redirect(response, `/${flavour.name}/`);

  const prefix = `/${flavour.name}/`;
  const sub = path.slice(prefix.length);
  if (method === 'POST' && sub === 'api/answer') return answer(context, flavour, request, response);
  if (method !== 'GET' && method !== 'HEAD') return send(response, notFound());
  const site = { prefix, path: sub, url };
  if (flavour.isStartPage(sub)) {
    stats.pageLoad(flavour.name);
    const page = flavour.startPage({ ...site, answers: siteAnswers(context, flavour.name) });
    return send(response, typeof page === 'string' ? ok(page) : page);
  }
  if (sub === '' && flavour.rootRedirect) return redirect(response, `${prefix}${flavour.rootRedirect}`);
  if (sub === flavour.blocks.login.path.split('?')[0]) return send(response, loginPage(flavour));
  const own = flavour.route?.(site);
  if (own) return send(response, own);
  const fault = /^mock-fault\/(.+)$/.exec(sub)?.[1];
  if (fault === '429') return send(response, rateLimitPage(flavour));
  if (fault === '500') return send(response, serverErrorPage(flavour));
  if (fault === 'blank') return send(response, blankPage());
  if (fault === 'captcha')
    return send(response, cloudflarePage(flavour, request.headers.host ?? flavour.name));
  return send(response, notFound());
}

/** POST /<flavour>/api/answer {prompt}: a fault (as a navigation) or the streamed answer, the next sample. */
async function answer(
  context: Context,
  flavour: Flavour,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const { config, stats, streams } = context;
  const body = (await readJson(request)) as { prompt?: unknown; fault?: unknown; sample?: unknown };
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  const answers = siteAnswers(context, flavour.name);
  let fault: FaultKind | undefined;
  let sample: number | undefined;
  if (flavour.answersFromRequest) {
    fault = body.fault === 'hang' || body.fault === 'half' ? body.fault : undefined;
    sample = typeof body.sample === 'number' && Number.isSafeInteger(body.sample) ? body.sample : undefined;
  } else {
    fault = answers.drawFault(prompt);
  }
  if (fault) config.logger?.debug({ event: 'mock:fault', flavour: flavour.name, fault }, `fault ${fault}`);
  const target = fault && faultPath(flavour, fault, request.headers.referer ?? `/${flavour.name}/`);
  if (target) {
    response.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(`${JSON.stringify({ t: 'navigate', url: `/${flavour.name}/${target}` })}\n`);
    return;
  }
  const stop = streamAnswer(response, {
    answer:
      sample === undefined
        ? answers.nextSample(prompt).answer
        : sampleAnswer(config, flavour.name, prompt, sample),
    markup: flavour.markup,
    latencyMs: answerLatency(config, prompt),
    ...(fault === 'hang' || fault === 'half' ? { fault } : {}),
    onComplete: () => stats.completed(flavour.name),
  });
  streams.add(stop);
  response.on('close', () => streams.delete(stop));
}

/** The mock's answers to `site`: its faults drawn and counted, its samples counted. */
function siteAnswers({ config, stats, drawer, samples }: Context, site: FlavourName): SiteAnswers {
  return {
    drawFault(prompt) {
      const fault = drawer.draw(site, prompt);
      stats.answer(site, fault);
      return fault;
    },
    nextSample(prompt) {
      const index = samples.next(site, prompt);
      return { answer: sampleAnswer(config, site, prompt, index), index };
    },
  };
}

/** The `index`-th answer (0-based) to `prompt` on `site`, from the mock's seeds and brands. */
function sampleAnswer(config: ResolvedOptions, site: FlavourName, prompt: string, index: number) {
  return composeAnswer(prompt, config.seed, config.brands, site, { index, seed: config.sampleSeed });
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_000_000) chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve({});
      }
    });
  });
}

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

function ok(body: string): BlockResponse {
  return { status: 200, headers: HTML, body };
}

function notFound(): BlockResponse {
  return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' };
}

function send(response: ServerResponse, page: BlockResponse): void {
  response.writeHead(page.status, { ...page.headers, 'content-length': Buffer.byteLength(page.body) });
  response.end(page.body);
}

function sendJson(response: ServerResponse, value: unknown): void {
  send(response, {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: `${JSON.stringify(value)}\n`,
  });
}

function redirect(response: ServerResponse, location: string): void {
  send(response, redirectResponse(location));
}

function indexPage(): BlockResponse {
  const links = Object.values(FLAVOURS)
    .map((f) => {
      const start = f.indexPath ?? f.rootRedirect ?? '';
      return `<li><a href="/${f.name}/${start}">${f.name}</a> (adapter: ${f.source})</li>`;
    })
    .join('');
  return ok(
    `<!doctype html><title>Mock AI platform</title><link rel="icon" href="data:,"><h1>Mock AI platform</h1><ul>${links}</ul><p><a href="/stats">/stats</a> · <a href="/requests">/requests</a> · POST /v1/chat/completions (the mock LLM)</p>`,
  );
}
