import { type Command, Option } from 'commander';
import { openDatabase } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import { createPool, redactUrl } from '../../db/pool.ts';
import { startErrorTracking } from '../../observe/errorTracking.ts';
import { createLogger } from '../../observe/logger.ts';
import { startServe } from '../../serve/startServe.ts';
import { UsageError } from '../../usageError.ts';
import { integer } from '../parsers.ts';
import { addDbOptions, toPoolSettings } from './dbOptions.ts';
import { addLlmOptions, toLlmConfig } from './llmOptions.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const EXAMPLE = `
Examples:
  $ avt serve                                     the dashboard at http://127.0.0.1:8080/ (this machine only)
  $ AVT_API_TOKEN=s3cret avt serve --host 0.0.0.0  open to the network, behind a token
  $ curl -H "Authorization: Bearer s3cret" http://host:8080/api/figures/brands?since=2026-11-01

The API is described at /api/openapi.json. Any number of replicas can run behind a load balancer: they keep
no state, and each drops its cache when new results commit. READ_DATABASE_URL sends the reads to a replica.`;

export function registerServe(program: Command): void {
  addDbOptions(
    addLlmOptions(
      program
        .command('serve')
        .description(
          'The read API, the dashboard, /metrics, /healthz and /readyz in one process. Without AVT_API_TOKEN it ' +
            'listens on loopback only.',
        )
        .addOption(
          new Option('--port <port>', 'port to listen on')
            .env('SERVE_PORT')
            .argParser(integer(0, 65_535))
            .default(8080),
        )
        .addOption(
          new Option('--host <address>', 'address to listen on').env('SERVE_HOST').default('127.0.0.1'),
        )
        .addOption(
          new Option('--log-level <level>', 'trace, debug, info, warn, error')
            .env('LOG_LEVEL')
            .default('info'),
        )
        .addHelpText(
          'after',
          `\nEnvironment: AVT_API_TOKEN (required off loopback), DATABASE_URL, READ_DATABASE_URL (figures and\nevidence read there).\n${EXAMPLE}`,
        ),
    ),
    '5 for DATABASE_URL, 10 for READ_DATABASE_URL',
  ).action(async (options: Record<string, unknown>) => {
    const host = options.host as string;
    const token = process.env.AVT_API_TOKEN || undefined;
    if (!token && !LOOPBACK.has(host)) {
      throw new UsageError(
        `--host ${host} would open the tracker to the network without a token: set AVT_API_TOKEN, or serve on 127.0.0.1`,
      );
    }
    const logger = createLogger(options.logLevel as string, { service: 'avt-serve' });
    const errors = await startErrorTracking({ service: 'avt-serve' }, logger);
    const database = await openDatabase();
    try {
      const pool = createPool(database.url, { applicationName: 'avt-migrate', max: 1, logger });
      try {
        await pool.query('SELECT 1').catch((error: Error) => {
          throw new UsageError(`cannot reach the database at ${redactUrl(database.url)}: ${error.message}`);
        });
        await migrate(pool);
      } finally {
        await pool.end();
      }
      const server = await startServe({
        port: options.port as number,
        host,
        databaseUrl: database.url,
        readDatabaseUrl: process.env.READ_DATABASE_URL || undefined,
        token,
        llm: toLlmConfig(options),
        pool: toPoolSettings(options),
        errors,
        logger,
      });
      logger.info(
        { event: 'serve:listening', url: server.url, auth: token ? 'token' : 'none (loopback)' },
        `serving on ${server.url}/`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      logger.info({ event: 'serve:stopping' }, 'stopping');
      await server.close();
    } finally {
      await errors.flush();
      await database.release();
    }
  });
}
