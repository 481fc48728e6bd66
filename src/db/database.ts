import { join } from 'node:path';
import { projectRoot } from '../paths.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface Database {
  url: string;
  /** True when the URL points at the embedded server this process (or a sibling) runs. */
  embedded: boolean;
  release(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded PostgreSQL under `.avt/` (or `AVT_DATA_DIR`). */
export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, release: async () => {} };
  const dataDir = env.AVT_DATA_DIR ?? join(projectRoot, '.avt');
  const port = Number(env.AVT_EMBEDDED_PORT ?? 54329);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`AVT_EMBEDDED_PORT must be a port number, got ${JSON.stringify(env.AVT_EMBEDDED_PORT)}`);
  }
  const server = await startEmbeddedPostgres(dataDir, port);
  return { url: server.url, embedded: true, release: () => server.stop() };
}
