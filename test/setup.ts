// Global setup for `npm test`: tests use DATABASE_URL (an admin URL: each test file creates its own
// database beside it); when it is unset, the embedded PostgreSQL under .avt/ is started for the run.
import { openDatabase } from '../src/db/database.ts';

let release: (() => Promise<void>) | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  release = database.release;
}

export async function globalTeardown(): Promise<void> {
  await release?.();
}
