import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createPool } from '../db/pool.ts';
import type { LlmConfig } from '../extract/llmConfig.ts';
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
}

export interface RunningServer {
  app: FastifyInstance;
  results: ResultsCache;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** The pools, the results cache (listening for new results) and the server, listening. */
export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const writePool = createPool(options.databaseUrl, {
    applicationName: 'avt-serve',
    max: 5,
    logger: options.logger,
  });
  const readPool: pg.Pool = options.readDatabaseUrl
    ? createPool(options.readDatabaseUrl, {
        applicationName: 'avt-serve read',
        max: 10,
        logger: options.logger,
      })
    : writePool;
  const results = new ResultsCache(readPool, { versionPool: writePool, logger: options.logger });
  const context: ServeContext = {
    readPool,
    writePool,
    results,
    logger: options.logger,
    token: options.token,
    llm: options.llm,
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
