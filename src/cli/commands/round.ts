import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { scheduleRound } from '../../tasks/scheduleRound.ts';

export function registerRound(program: Command): void {
  program
    .command('round')
    .description(
      'Start a tracking round now: one queued run per active prompt × enabled source × samples_per_round.\n' +
        'Workers pick the runs up at once. Scheduled rounds come from TRACKING_CRON (default 0 6 * * *, UTC).',
    )
    .option('--reason <text>', 'noted on the round', 'manual')
    .action(async (options: { reason: string }) => {
      await withPool('avt-round', async (pool) => {
        const round = await scheduleRound(createDb(pool), options.reason, null);
        console.log(`round ${round.roundId}: ${round.runsCreated} runs queued`);
      });
    });
}
