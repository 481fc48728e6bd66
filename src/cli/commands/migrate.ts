import type { Command } from 'commander';
import { runMigrations } from 'graphile-worker';
import { migrate, newerSchemaNotice } from '../../db/migrate.ts';
import { withPool } from '../../db/withPool.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply new migrations (each once, in order, in its own transaction), apply the SQL functions and\n' +
        'views of sql/ when the database holds an older schema revision (sql/REVISION), and create response\n' +
        "partitions three months ahead; install graphile-worker's schema (the background jobs) too. A database\n" +
        'at a newer revision is left as it is.\n' +
        'Safe to run from many processes at once; workers do this at start unless --no-migrate.',
    )
    .action(async () => {
      const result = await withPool('avt-migrate', async (pool) => {
        const migrated = await migrate(pool);
        // Workers started with --no-migrate (as avt_worker, which may not create it) find it in place.
        await runMigrations({ pgPool: pool });
        return migrated;
      });
      const applied = result.applied.length > 0 ? result.applied.join(', ') : 'none (schema up to date)';
      console.log(`migrations applied: ${applied}`);
      const sql = result.sqlApplied
        ? `applied (schema revision ${result.revision.build})`
        : `unchanged (schema revision ${result.revision.database})`;
      console.log(newerSchemaNotice(result) ?? `sql functions and views: ${sql}`);
      if (result.partitionsCreated.length > 0) {
        console.log(`response partitions created: ${result.partitionsCreated.join(', ')}`);
      }
    });
}
