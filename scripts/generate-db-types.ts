// npm run db:types: regenerates src/db/schema.ts from a freshly migrated scratch database.
// Uses DATABASE_URL as the admin connection (the embedded server when unset).
import { fileURLToPath } from 'node:url';
import { generateDbTypes } from './db-types.ts';
import { createScratchDatabase } from './scratch-database.ts';

const scratch = await createScratchDatabase('avt_types');
try {
  await generateDbTypes(scratch.url, fileURLToPath(new URL('../src/db/schema.ts', import.meta.url)));
  console.log('wrote src/db/schema.ts');
} finally {
  await scratch.drop();
}
