import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createPool, type PoolSettings } from '../db/pool.ts';
import type { LlmConfig } from '../extract/llmConfig.ts';
import type { ErrorTracker } from '../observe/errorTracking.ts';
import type { ServeContext } from './context.ts';
import { ResultsCache } from './resultsCache.ts';
import { buildServer } from './server.ts';

export interface ServeOptions {
  port: number;
  host: string;
  /** DATABASE_URL: actions, and LISTEN for new results. */
  databaseUrl: string;
  /** READ_DATABASE_URL: figures and evidence; undefined: DATABASE_URL. */
  readDatabaseUrl: string | undefined;
  token: string | undefined;
  llm: LlmConfig | undefined;
  logger: Logger;
  /** DB_POOL_MAX (each pool; default 5 on DATABASE_URL, 10 on READ_DATABASE_URL) and the timeouts. */
  pool?: PoolSettings;
  errors?: ErrorTracker;
}

const WRITE_POOL_MAX = 5;
const READ_POOL_MAX = 10;

export interface RunningServer {
  app: FastifyInstance;
  results: ResultsCache;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** The pools, the results cache (listening for new results) and the server, listening. */
export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const settings = options.pool ?? {};
  const writeMax = settings.max ?? WRITE_POOL_MAX;
  const readMax = settings.max ?? READ_POOL_MAX;
  const writePool = createPool(options.databaseUrl, {
    ...settings,
    applicationName: 'avt-serve',
    max: writeMax,
    logger: options.logger,
  });
  const readPool: pg.Pool = options.readDatabaseUrl
    ? createPool(options.readDatabaseUrl, {
        ...settings,
        applicationName: 'avt-serve:read',
        max: readMax,
        logger: options.logger,
      })
    : writePool;
  const primary = writeMax + 1;
  options.logger.info(
    {
      event: 'db:connections',
      max_connections: primary,
      read_max_connections: options.readDatabaseUrl ? readMax : 0,
      statement_timeout_ms: settings.statementTimeoutMs ?? null,
      application_name: 'avt-serve',
    },
    `may open ${primary} connections on DATABASE_URL (a pool of ${writeMax} and one LISTEN session)` +
      (options.readDatabaseUrl ? ` and ${readMax} on READ_DATABASE_URL` : ''),
  );
  const results = new ResultsCache(readPool, { versionPool: writePool, logger: options.logger });
  const context: ServeContext = {
    readPool,
    writePool,
    results,
    logger: options.logger,
    token: options.token,
    llm: options.llm,
    ...(options.errors ? { errors: options.errors } : {}),
  };
  const closePools = async () => {
    await results.stop();
    if (readPool !== writePool) await readPool.end();
    await writePool.end();
  };
  try {
    // A replica reads its notifications from the primary: a read replica cannot LISTEN to the primary's NOTIFY.
    await results.start(options.databaseUrl);
    const app = await buildServer(context);
    const address = await app.listen({ port: options.port, host: options.host });
    const url = new URL(address);
    return {
      app,
      results,
      url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${url.port}`,
      close: async () => {
        await app.close();
        await closePools();
      },
    };
  } catch (error) {
    await closePools();
    throw error;
  }
}
