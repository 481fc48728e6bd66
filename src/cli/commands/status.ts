import type { Command } from 'commander';
import { migrate } from '../../db/migrate.ts';
import { readQueueHealth } from '../../queue/queueHealth.ts';
import { formatTable, withPool } from '../context.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show the queue per source (the queue_health view): eligible, delayed, running, done, dead.')
    .option('--migrate', 'migrate the database first (what `npm start` does on a fresh machine)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { migrate?: boolean; json?: boolean }) => {
      await withPool('avt-status', async (pool) => {
        if (options.migrate) await migrate(pool);
        const rows = await readQueueHealth(pool);
        console.log(
          options.json
            ? JSON.stringify(rows, null, 2)
            : formatTable(rows as unknown as Record<string, unknown>[]),
        );
      });
    });
}
