import type { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { enqueuePrompts } from '../../operations/enqueuePrompts.ts';
import { progressBar } from '../../progressBar.ts';
import { UsageError } from '../../usageError.ts';
import { refusalsAsUsage } from './operationRefusal.ts';
import { readUpload, reportRefusedRows, SOME_ROWS_REFUSED } from './uploadFile.ts';

const EXAMPLE = `
Files (the format from the extension):
  prompts.csv    a header line naming the columns, then a prompt a line:
                   text,category,priority
                   What is the best CRM for a startup?,CRM,5
                   "Top CRMs, ranked",CRM,
  prompts.jsonl  a JSON object or string a line:
                   {"text": "What is the best CRM for a startup?", "category": "CRM", "priority": 5}
                   "Top CRMs, ranked"
  prompts.json   the same rows as a JSON array
Columns: text (required, verbatim, at most 8,000 characters), category (created when new), priority (a whole
number, higher is claimed first; 0), active (true/false; true).

Examples:
  $ avt enqueue --file prompts.csv
  $ avt enqueue --file prompts.jsonl --category CRM    rows that name no category go in CRM

Each prompt is queued on every enabled source. The good rows are added together, in one transaction; each
bad row is printed as FILE:LINE: why (in a .json array, its place from 1), and left out. Exit code: 0 all
rows added; ${SOME_ROWS_REFUSED} some rows refused, the others added; 2 nothing added (a bad option, or a file that
cannot be read as a whole); 1 nothing added (a failure, e.g. the database).`;

export function registerEnqueue(program: Command): void {
  program
    .command('enqueue')
    .description(
      'Add prompts from a CSV, JSON Lines or JSON file (the same operation as POST /api/prompts); each is ' +
        'queued at once on every enabled source, and the workers are woken.',
    )
    .addOption(new Option('--file <file>', 'required: prompts.csv, prompts.jsonl or prompts.json'))
    .option('--category <name>', 'the category of rows that name none (created when new)')
    .addHelpText('after', EXAMPLE)
    .action(async (options: { file?: string; category?: string }) => {
      if (!options.file) throw new UsageError('--file <file> is required, e.g. --file prompts.csv');
      const path = options.file;
      const upload = await readUpload(path);
      await withPool('avt-enqueue', async (pool) => {
        let bar: SingleBar | undefined;
        const result = await refusalsAsUsage(() =>
          enqueuePrompts(createDb(pool), upload, {
            defaultCategory: options.category,
            onProgress: (added, total) => {
              if (!bar) {
                bar = progressBar('adding prompts [{bar}] {value}/{total}');
                bar.start(total, 0);
              }
              bar.update(added);
            },
          }),
        ).finally(() => bar?.stop());
        reportRefusedRows(path, result.errors);
        const refused = result.errors.length;
        console.log(
          `${result.added} prompt${result.added === 1 ? '' : 's'} added` +
            (refused > 0 ? `; ${refused} row${refused === 1 ? '' : 's'} refused (above)` : ''),
        );
      });
    });
}
