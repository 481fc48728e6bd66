import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { readAiSource, resumeSource } from '../../db/sources.ts';
import { withPool } from '../../db/withPool.ts';
import { UsageError } from '../../usageError.ts';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .argument('<ai-source>', 'the source to resume, e.g. chatgpt')
    .description(
      'Let workers claim a paused source again. A captcha or a login wall pauses its source until a person\n' +
        'has dealt with it (refreshed the saved session, solved the check) and runs this.',
    )
    .action(async (aiSource: string) => {
      await withPool('avt-resume', async (pool) => {
        const db = createDb(pool);
        if (!(await resumeSource(db, aiSource))) {
          const lookup = await readAiSource(db, aiSource);
          const known = lookup.found ? [] : lookup.known;
          throw new UsageError(`unknown AI source '${aiSource}'; known sources: ${known.join(', ')}`);
        }
        console.log(`${aiSource} resumed`);
      });
    });
}
