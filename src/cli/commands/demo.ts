import { type Command, Option } from 'commander';
import { DEMO_PROMPTS } from '../../demo/demoData.ts';
import { type DemoOptions, runDemo } from '../../demo/runDemo.ts';
import { integer, list } from '../parsers.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline on this machine (what `npm start` does): the database (embedded unless\n' +
        'DATABASE_URL is set), the bundled mock AI platform and mock LLM, a CRM market of demo brands and\n' +
        'prompts, one real worker process per AI source driving headless Chromium, a progress bar, then a\n' +
        'visibility report read from the brand_visibility and citation_domains views. Run it again to add\n' +
        'samples: the figures and their intervals tighten.',
    )
    .addOption(
      new Option('--prompts <n>', 'how many demo prompts to ask each source')
        .argParser(integer(1, DEMO_PROMPTS.length))
        .default(6),
    )
    .addOption(
      new Option('--sources <names>', 'comma-separated AI sources (default: every enabled one)').argParser(
        list,
      ),
    )
    .addOption(
      new Option('--latency-ms <ms>', 'how long each mock answer streams')
        .argParser(integer(0, 600_000))
        .default(1500),
    )
    .addOption(
      new Option('--concurrency <n>', 'jobs in flight per worker').argParser(integer(1, 64)).default(2),
    )
    .addOption(new Option('--browser <mode>', 'per worker').choices(['per-job', 'shared']).default('shared'))
    .addOption(
      new Option(
        '--seed <n>',
        "seeds the mock's samples (default: a fresh seed, logged so a run can be repeated: each run adds new samples)",
      ).argParser(integer(0)),
    )
    .action(async (options: DemoOptions) => {
      process.exitCode = await runDemo(options, (line) => console.error(line));
    });
}
