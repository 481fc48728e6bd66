import { type Command, Option } from 'commander';
import { archiveMonths, parseArchiveMonth } from '../../db/archiveMonths.ts';
import { withPool } from '../../db/withPool.ts';
import { formatTable } from '../../formatTable.ts';
import { UsageError } from '../../usageError.ts';

const EXAMPLE = `
Examples:
  $ avt archive --before 2026-01 --out /backups/avt          write every month before January 2026
  $ avt archive --before 2026-01 --out /backups/avt --drop   ... then drop those months from the database

Each month goes to DIR/YYYY-MM/: responses, brand_mentions, citations and discovered_competitors as gzipped
CSV, manifest.json (rows and sha256 per file) and load.sql. To put a month back:
  $ cd /backups/avt/2025-12 && psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f load.sql
The daily figures are not in the archive: they stay in the database when a month is dropped.`;

export function registerArchive(program: Command): void {
  program
    .command('archive')
    .description(
      'Write whole months of answers (with their mentions, citations and discovered competitors) to compressed ' +
        'files that psql reloads, before retention (RETENTION_MONTHS) or --drop removes them from the database.',
    )
    .addOption(new Option('--before <YYYY-MM>', 'required: archive every month before this one'))
    .addOption(
      new Option('--out <dir>', 'required: the directory to write into (one subdirectory per month)'),
    )
    .addOption(
      new Option(
        '--drop',
        'drop the archived months once their files are on disk, in the same transaction (the figures stay)',
      ),
    )
    .addHelpText('after', EXAMPLE)
    .action(async (options: { before?: string; out?: string; drop?: boolean }) => {
      if (!options.before) throw new UsageError('--before <YYYY-MM> is required, e.g. --before 2026-01');
      if (!options.out) throw new UsageError('--out <dir> is required: where the month directories go');
      const before = parseArchiveMonth(options.before);
      const outDir = options.out;
      await withPool('avt-archive', async (pool) => {
        const result = await archiveMonths(pool, {
          before,
          outDir,
          drop: options.drop === true,
          onMonth: (month) => console.log(`archived ${month.month} to ${month.dir}`),
        });
        if (result.months.length === 0) {
          console.log(`no answers before ${options.before}: nothing to archive`);
          return;
        }
        console.log(
          formatTable(
            result.months.map((month) => ({
              month: month.month,
              responses: month.tables.responses.rows,
              brand_mentions: month.tables.brand_mentions.rows,
              citations: month.tables.citations.rows,
              discovered_competitors: month.tables.discovered_competitors.rows,
            })),
          ),
        );
        if (options.drop) {
          console.log(
            `dropped ${result.dropped.length} partitions (${result.dropped.join(', ')}); ` +
              'the daily figures keep these months',
          );
        }
      });
    });
}
