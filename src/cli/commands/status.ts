import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { migrate } from '../../db/migrate.ts';
import { withPool } from '../../db/withPool.ts';
import { listWorkers } from '../../db/workers.ts';
import { formatTable } from '../../formatTable.ts';
import { readQueueHealth } from '../../queue/queueHealth.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show the queue per source (the queue_health view: eligible, delayed, running, done, dead) and the\nworker processes: live, stopped, or vanished (stopped reporting without exiting).',
    )
    .option('--migrate', 'migrate the database first (what `npm start` does on a fresh machine)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { migrate?: boolean; json?: boolean }) => {
      await withPool('avt-status', async (pool) => {
        if (options.migrate) await migrate(pool);
        const rows = await readQueueHealth(pool);
        const workers = await listWorkers(createDb(pool));
        if (options.json) {
          console.log(JSON.stringify({ queue: rows, workers }, null, 2));
          return;
        }
        console.log(formatTable(rows as unknown as Record<string, unknown>[]));
        console.log('\nworkers seen in the last day (vanished: stopped reporting without exiting):');
        console.log(formatTable(workers as unknown as Record<string, unknown>[]));
      });
    });
}
