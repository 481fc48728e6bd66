import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { retryDeadRuns } from '../../operations/retryDeadRuns.ts';
import { refusalsAsUsage } from './operationRefusal.ts';

const EXAMPLE = `
Examples:
  $ avt retry-dead                                         every dead run
  $ avt retry-dead --ai-source perplexity                  the dead runs of one source
  $ avt retry-dead --ai-source chatgpt --since 2026-03-01  ... that went dead on or after 1 March (UTC)
  $ avt retry-dead --since 2026-03-01T09:30:00+01:00       ... after a time, with its offset

See what died, and why, first: avt status, or GET /api/runs/dead (avt serve). A run that keeps failing
goes dead again after max_attempts; its earlier attempts stay in run_attempts.`;

export function registerRetryDead(program: Command): void {
  program
    .command('retry-dead')
    .description(
      'Queue dead runs again with a full set of attempts, due now, and wake the workers (the same operation ' +
        'as POST /api/runs/dead/retry). The filters combine; without any, every dead run is retried.',
    )
    .option('--ai-source <name>', 'only the dead runs of this source')
    .option('--since <time>', 'only runs that went dead at or after this ISO 8601 time (or day, UTC)')
    .addHelpText('after', EXAMPLE)
    .action(async (options: { aiSource?: string; since?: string }) => {
      await withPool('avt-retry-dead', async (pool) => {
        const retried = await refusalsAsUsage(() =>
          retryDeadRuns(createDb(pool), { aiSource: options.aiSource, since: options.since }),
        );
        console.log(`${retried} dead run${retried === 1 ? '' : 's'} queued again`);
      });
    });
}
