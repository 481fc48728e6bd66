import type { Command } from 'commander';
import { migrate } from '../../db/migrate.ts';
import { withPool } from '../context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply new migrations (each once, in order, in its own transaction), re-apply the SQL functions and\n' +
        'views of sql/ when they changed, and create response partitions three months ahead.\n' +
        'Safe to run from many processes at once; workers do this at start unless --no-migrate.',
    )
    .action(async () => {
      const result = await withPool('avt-migrate', migrate);
      const applied = result.applied.length > 0 ? result.applied.join(', ') : 'none (schema up to date)';
      console.log(`migrations applied: ${applied}`);
      console.log(`sql functions and views: ${result.sqlApplied ? 're-applied' : 'unchanged'}`);
      if (result.partitionsCreated.length > 0) {
        console.log(`response partitions created: ${result.partitionsCreated.join(', ')}`);
      }
    });
}
