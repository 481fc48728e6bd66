import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const codegen = fileURLToPath(new URL('../node_modules/.bin/kysely-codegen', import.meta.url));

/**
 * Writes the Kysely types of the schema in the database at `url` to `outFile` (what src/db/schema.ts is).
 * Monthly response partitions are left out: they are the same table as `responses`.
 */
export function generateDbTypes(url: string, outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      codegen,
      ['--dialect', 'postgres', '--url', url, '--out-file', outFile, '--exclude-pattern', 'responses_*'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`kysely-codegen exited with ${code}: ${output}`)),
    );
  });
}
