import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadBrandsFile } from '../../extract/brandsFile.ts';
import { DEMO_BRANDS } from '../../mock/brands.ts';
import { parseFaults } from '../../mock/faults.ts';
import { FLAVOURS } from '../../mock/flavours/index.ts';
import { parseLlmFaults } from '../../mock/llm/faults.ts';
import {
  DEFAULT_LATENCY_MS,
  DEFAULT_LLM_LATENCY_MS,
  DEFAULT_LLM_SLOW_MS,
  DEFAULT_PORT,
  DEFAULT_SEED,
} from '../../mock/options.ts';
import { SAMPLINGS, type Sampling } from '../../mock/samples.ts';
import { startMockPlatform } from '../../mock/server.ts';
import { createLogger } from '../../observe/logger.ts';
import { integer } from '../parsers.ts';

interface MockCommandOptions {
  port: number;
  host: string;
  latencyMs: number;
  latencyJitter?: number;
  faults?: string;
  seed: number;
  sampleSeed?: number;
  sampling: Sampling;
  brands?: string;
  llmRatePerMin?: number;
  llmLatencyMs: number;
  llmFaults?: string;
  llmSlowMs: number;
  llmApiKey?: string;
  logLevel: string;
}

export function registerMock(program: Command): void {
  program
    .command('mock')
    .description(
      'Serve the bundled mock AI platform: pages shaped like chatgpt, gemini, perplexity, claude, copilot and ' +
        'Google AI Overviews under /<name>/, with streamed answers (reproducible from the seeds; asking a ' +
        'question again gives another sample, as real assistants do) and injected faults. Point an adapter at ' +
        'it by replacing its baseUrl with http://<host>:<port>/<name>/. GET /stats, GET /requests, ' +
        'POST /stats/reset. A prompt containing [[fault:<kind>]] always gets that fault. Also the mock LLM for ' +
        'the extractor: an OpenAI-compatible POST /v1/chat/completions (base URL http://<host>:<port>/v1) with ' +
        'a rate limit and faults (switch them at run time with POST /v1/_mock/faults {"500": 1}). ' +
        'Stops on SIGTERM/SIGINT.',
    )
    .addOption(
      new Option('--port <port>', 'port to listen on (0: any free port)')
        .argParser(integer(0, 65_535))
        .default(DEFAULT_PORT),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--latency-ms <ms>', 'how long each answer streams, start to finish')
        .argParser(integer(0, 600_000))
        .default(DEFAULT_LATENCY_MS),
    )
    .addOption(
      new Option(
        '--latency-jitter <fraction>',
        'spread each answer over latency × (1 ± fraction), 0..1',
      ).argParser((value) => {
        const n = Number(value);
        if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`must be from 0 to 1, got '${value}'`);
        return n;
      }),
    )
    .option(
      '--faults <rates>',
      'fault rates per answer, e.g. 429=0.1,captcha=0.05 (kinds: 429, captcha, login, hang, half, 500, blank)',
    )
    .addOption(
      new Option(
        '--seed <n>',
        "seeds each site's profile of each question (which brands it favours), the answers and the fault draws",
      )
        .argParser(integer(0))
        .default(DEFAULT_SEED),
    )
    .addOption(
      new Option(
        '--sample-seed <n>',
        'seeds the samples drawn from those profiles (default: --seed): another value, new samples of the same market',
      ).argParser(integer(0)),
    )
    .addOption(
      new Option(
        '--sampling <mode>',
        'varied: each ask of a question on a site is the next sample; fixed: every ask gets the same answer',
      )
        .choices(SAMPLINGS)
        .default('varied'),
    )
    .option(
      '--brands <file>',
      'JSON array of { name, aliases?, domains? } (default: a demo list of CRM tools)',
    )
    .addOption(
      new Option(
        '--llm-rate-per-min <n>',
        'mock LLM: at most n requests in any 60 s, then 429 with Retry-After (default: no limit)',
      ).argParser(integer(1)),
    )
    .addOption(
      new Option('--llm-latency-ms <ms>', 'mock LLM: time before each reply')
        .argParser(integer(0, 600_000))
        .default(DEFAULT_LLM_LATENCY_MS),
    )
    .option(
      '--llm-faults <rates>',
      'mock LLM fault rates per request, e.g. malformed=0.1,500=0.05,slow=0.2 (kinds: malformed, 500, slow)',
    )
    .addOption(
      new Option('--llm-slow-ms <ms>', 'mock LLM: how much longer a slow reply takes')
        .argParser(integer(0, 3_600_000))
        .default(DEFAULT_LLM_SLOW_MS),
    )
    .option('--llm-api-key <key>', 'mock LLM: require Authorization: Bearer <key> (401 otherwise)')
    .addOption(
      new Option('--log-level <level>', 'debug logs every request')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .action(async (options: MockCommandOptions) => {
      const faults = parseFaults(options.faults ?? '');
      const llmFaults = parseLlmFaults(options.llmFaults ?? '');
      const brands = options.brands ? await loadBrandsFile(options.brands) : DEMO_BRANDS;
      const logger = createLogger(options.logLevel, { component: 'mock' });
      const mock = await startMockPlatform({
        port: options.port,
        host: options.host,
        latencyMs: options.latencyMs,
        latencyJitter: options.latencyJitter,
        faults,
        seed: options.seed,
        sampleSeed: options.sampleSeed,
        sampling: options.sampling,
        brands,
        llmRatePerMin: options.llmRatePerMin,
        llmLatencyMs: options.llmLatencyMs,
        llmFaults,
        llmSlowMs: options.llmSlowMs,
        llmApiKey: options.llmApiKey,
        logger,
      });
      logger.info(
        {
          event: 'mock:listening',
          url: mock.url,
          port: mock.port,
          latency_ms: options.latencyMs,
          faults,
          seed: options.seed,
          sample_seed: options.sampleSeed ?? options.seed,
          sampling: options.sampling,
          brands: brands.length,
          flavours: Object.keys(FLAVOURS).map((name) => `${mock.url}/${name}/`),
          llm: {
            base_url: mock.llmBaseUrl,
            rate_per_min: options.llmRatePerMin ?? null,
            latency_ms: options.llmLatencyMs,
            faults: llmFaults,
          },
        },
        `mock AI platform on ${mock.url}`,
      );
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      await mock.close();
      logger.info(
        { event: 'mock:stopped', signal, stats: mock.stats(), llm: mock.llmStats() },
        'mock AI platform stopped',
      );
    });
}
