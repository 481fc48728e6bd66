import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: where migrations/ and sql/ live. */
export const projectRoot = fileURLToPath(new URL('../', import.meta.url));
export const migrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));
export const sqlDir = fileURLToPath(new URL('../sql/', import.meta.url));
