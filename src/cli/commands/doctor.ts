import { type Command, Option } from 'commander';
import { openDatabase } from '../../db/database.ts';
import { createPool } from '../../db/pool.ts';
import { needsAction } from '../../doctor/finding.ts';
import { formatFindings } from '../../doctor/formatFindings.ts';
import { runDoctor } from '../../doctor/runDoctor.ts';

const EXAMPLE = `
Examples:
  $ avt doctor                                      the database, LLM endpoint and Chromium as this machine sees them
  $ avt doctor --url http://avt-serve:8080 --url http://worker-chatgpt-0:9464 --no-chromium
  $ avt doctor --json | jq '.findings[] | select(.status != "ok")'

Exit code: 0 when nothing needs action, 1 when a finding says WARN or FAIL. Run it as the database owner (or a
role with pg_read_all_stats) to see every session.`;

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check that a deployment is configured sanely: the schema against this build, the connection budget ' +
        'against max_connections, autovacuum of the queue tables, sources paused or without workers, the ' +
        'slowest statements (pg_stat_statements), the LLM endpoint, Chromium, and /readyz of given URLs. ' +
        'Each finding is one line with what to do.',
    )
    .addOption(
      new Option(
        '--url <url...>',
        "a worker's metrics URL or an avt serve URL whose /readyz to ask (repeatable)",
      ),
    )
    .addOption(
      new Option('--llm-base-url <url>', 'the LLM API the workers use (key: LLM_API_KEY)').env(
        'LLM_BASE_URL',
      ),
    )
    .option('--no-chromium', 'do not look for Chromium (when run away from the workers)')
    .option('--json', 'print {"needs_action": bool, "findings": [...]} instead of lines')
    .addHelpText('after', EXAMPLE)
    .action(async (options: { url?: string[]; llmBaseUrl?: string; chromium: boolean; json?: boolean }) => {
      const database = await openDatabase();
      const pool = createPool(database.url, { applicationName: 'avt-doctor', max: 2 });
      try {
        const unreachable = await pool.query('SELECT 1').then(
          () => undefined,
          (error: Error) => error.message,
        );
        const findings = await runDoctor({
          pool: unreachable ? undefined : pool,
          unreachable,
          llmBaseUrl: options.llmBaseUrl,
          llmApiKey: process.env.LLM_API_KEY || undefined,
          urls: options.url ?? [],
          chromium: options.chromium,
        });
        const acting = needsAction(findings);
        console.log(
          options.json
            ? JSON.stringify({ needs_action: acting, findings }, null, 2)
            : formatFindings(findings),
        );
        if (acting) process.exitCode = 1;
      } finally {
        await pool.end();
        await database.release();
      }
    });
}
