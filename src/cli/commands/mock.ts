import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEMO_BRANDS, loadBrandsFile } from '../../mock/brands.ts';
import { parseFaults } from '../../mock/faults.ts';
import { FLAVOURS } from '../../mock/flavours/index.ts';
import { DEFAULT_LATENCY_MS, DEFAULT_PORT, DEFAULT_SEED } from '../../mock/options.ts';
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
  brands?: string;
  logLevel: string;
}

export function registerMock(program: Command): void {
  program
    .command('mock')
    .description(
      'Serve the bundled mock AI platform: pages shaped like chatgpt, gemini, perplexity, claude, copilot and ' +
        'Google AI Overviews under /<name>/, with deterministic streamed answers and injected faults. Point an ' +
        'adapter at it by replacing its baseUrl with http://<host>:<port>/<name>/. GET /stats, GET /requests, ' +
        'POST /stats/reset. A prompt containing [[fault:<kind>]] always gets that fault. Stops on SIGTERM/SIGINT.',
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
      new Option('--seed <n>', 'seeds the answers and the fault draws')
        .argParser(integer(0))
        .default(DEFAULT_SEED),
    )
    .option(
      '--brands <file>',
      'JSON array of { name, aliases?, domains? } (default: a demo list of CRM tools)',
    )
    .addOption(
      new Option('--log-level <level>', 'debug logs every request')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .action(async (options: MockCommandOptions) => {
      const faults = parseFaults(options.faults ?? '');
      const brands = options.brands ? await loadBrandsFile(options.brands) : DEMO_BRANDS;
      const logger = createLogger(options.logLevel, { component: 'mock' });
      const mock = await startMockPlatform({
        port: options.port,
        host: options.host,
        latencyMs: options.latencyMs,
        latencyJitter: options.latencyJitter ?? 0,
        faults,
        seed: options.seed,
        brands,
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
          brands: brands.length,
          flavours: Object.keys(FLAVOURS).map((name) => `${mock.url}/${name}/`),
        },
        `mock AI platform on ${mock.url}`,
      );
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      await mock.close();
      logger.info({ event: 'mock:stopped', signal, stats: mock.stats() }, 'mock AI platform stopped');
    });
}
