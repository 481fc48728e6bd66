import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { UnknownSourceError } from '../../operations/errors.ts';
import { resumeSource } from '../../operations/pauseSource.ts';
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
        try {
          await resumeSource(createDb(pool), aiSource);
        } catch (error) {
          if (error instanceof UnknownSourceError) throw new UsageError(error.message, { cause: error });
          throw error;
        }
        console.log(`${aiSource} resumed`);
      });
    });
}
