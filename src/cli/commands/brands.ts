import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { importBrands } from '../../operations/importBrands.ts';
import { refusalsAsUsage } from './operationRefusal.ts';
import { readUpload, reportRefusedRows, SOME_ROWS_REFUSED } from './uploadFile.ts';

const EXAMPLE = `
Files (the format from the extension):
  brands.csv     a header line, then a brand a line; ; between aliases and between domains:
                   name,aliases,domains,is_own
                   Acme CRM,Acme;AcmeCRM,acme.com;acme.io,true
                   Globex,,globex.io,false
  brands.json    [{"name": "Acme CRM", "aliases": ["Acme"], "domains": ["acme.com"], "is_own": true}]
  brands.jsonl   the same objects, one a line
Columns: name (required), aliases, domains (bare domains: example.com), is_own (true: yours; false: a
competitor). A brand is matched by its name: a new name adds a brand, a known one is updated, and a column a
row leaves out (or an empty cell) keeps the stored value.

Examples:
  $ avt brands import brands.csv
  $ avt brands import brands.json

The good rows are imported together, in one transaction; each bad row is printed as FILE:LINE: why, and
left out. Exit code: 0 all imported; ${SOME_ROWS_REFUSED} some rows refused, the others imported; 2 nothing imported (a
file that cannot be read as a whole); 1 nothing imported (a failure). Answers already stored are read again
with the new list by avt reextract.`;

export function registerBrands(program: Command): void {
  const brands = program
    .command('brands')
    .description('The tracked brands: your own and your competitors, that answers are searched for.');
  brands
    .command('import')
    .argument('<file>', 'brands.csv, brands.json or brands.jsonl')
    .description(
      'Add or update tracked brands by name from a CSV, JSON or JSON Lines file (the same operation as ' +
        'POST /api/brands/import).',
    )
    .addHelpText('after', EXAMPLE)
    .action(async (path: string) => {
      const upload = await readUpload(path);
      await withPool('avt-brands-import', async (pool) => {
        const result = await refusalsAsUsage(() => importBrands(createDb(pool), upload));
        reportRefusedRows(path, result.errors);
        const refused = result.errors.length;
        console.log(
          `${result.upserted} brand${result.upserted === 1 ? '' : 's'} added or updated` +
            (refused > 0 ? `; ${refused} row${refused === 1 ? '' : 's'} refused (above)` : ''),
        );
      });
    });
}
