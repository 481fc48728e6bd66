import pino from 'pino';
import { type RunningServer, startServe } from '../../src/serve/startServe.ts';
import type { TestDatabase } from './db.ts';

export interface TestServerOptions {
  token?: string;
  /** READ_DATABASE_URL */
  readUrl?: string;
}

/** An `avt serve` replica in this process on a free loopback port, over the test database. */
export function startTestServer(t: TestDatabase, options: TestServerOptions = {}): Promise<RunningServer> {
  return startServe({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: t.url,
    readDatabaseUrl: options.readUrl,
    token: options.token,
    llm: undefined,
    logger: pino({ level: 'silent' }),
  });
}
