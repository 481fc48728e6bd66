import { pathToFileURL } from 'node:url';
import { type Command, Option } from 'commander';
import { withPool } from '../../db/withPool.ts';
import { ApiError } from '../../serve/errors.ts';
import { type Filters, parseFilters } from '../../serve/filters.ts';
import { writeReport } from '../../serve/report.ts';
import { UsageError } from '../../usageError.ts';

const EXAMPLE = `
Examples:
  $ avt report --out report.html                                  the last 30 days, every source
  $ avt report --out chatgpt.html --ai-source chatgpt --since 2026-11-01 --until 2026-11-30 --grain week

The file holds everything it shows (figures, charts, styles): open it in a browser, attach it to a mail. It
makes no request when opened. The same figures live at /api/figures/* of avt serve and in the views of
docs/numbers.md.`;

interface ReportOptions {
  out?: string;
  since?: string;
  until?: string;
  aiSource?: string;
  category?: string;
  captureMode?: string;
  brand?: string;
  grain?: string;
}

/** The command-line filters, checked as the API checks its query string. */
function reportFilters(options: ReportOptions): Filters {
  try {
    return parseFilters({
      since: options.since,
      until: options.until,
      ai_source: options.aiSource,
      category: options.category,
      capture_mode: options.captureMode,
      brand: options.brand,
      grain: options.grain,
    });
  } catch (error) {
    if (error instanceof ApiError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Write the overview (mention rate with its 95% interval, share of voice and position per source, the ' +
        'most cited domains) as one self-contained HTML file to send around.',
    )
    .addOption(new Option('--out <file>', 'required: the HTML file to write'))
    .addOption(new Option('--since <YYYY-MM-DD>', 'first UTC day (default: 29 days before --until)'))
    .addOption(new Option('--until <YYYY-MM-DD>', 'last UTC day, included (default: today)'))
    .addOption(new Option('--ai-source <name>', 'one source, e.g. chatgpt (default: all)'))
    .addOption(new Option('--category <name>', "one category's prompts (default: all)"))
    .addOption(new Option('--capture-mode <mode>', 'ui or api (default: both, never mixed)'))
    .addOption(new Option('--brand <name>', 'one tracked brand (default: all)'))
    .addOption(new Option('--grain <period>', 'day, week or month (default: day)'))
    .addHelpText('after', EXAMPLE)
    .action(async (options: ReportOptions) => {
      if (!options.out)
        throw new UsageError('--out <file> is required: where the report goes, e.g. report.html');
      const out = options.out;
      const filters = reportFilters(options);
      const written = await withPool('avt-report', async (pool) => {
        try {
          return await writeReport(pool, filters, out);
        } catch (error) {
          if (error instanceof ApiError) throw new UsageError(error.message, { cause: error });
          throw error;
        }
      });
      console.log(
        `wrote ${written.path}: ${written.answers} answers from ${filters.since} to ${filters.until}; ` +
          `open ${pathToFileURL(written.path).href}`,
      );
    });
}
