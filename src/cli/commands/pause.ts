import type { Command } from 'commander';
import { createDb } from '../../db/kysely.ts';
import { withPool } from '../../db/withPool.ts';
import { pauseSource } from '../../operations/pauseSource.ts';
import { refusalsAsUsage } from './operationRefusal.ts';

const EXAMPLE = `
Examples:
  $ avt pause chatgpt --reason "session expired"             until someone runs: avt resume chatgpt
  $ avt pause gemini --until 2026-03-01T18:00:00Z            claims start again by themselves at 18:00 UTC
  $ avt pause perplexity --until 2026-03-02 --reason "quota" until midnight UTC

avt status shows each pause; its reason is in ai_sources.pause_reason and GET /api/queue (avt serve).
A captcha or a login wall pauses its source the same way.`;

export function registerPause(program: Command): void {
  program
    .command('pause')
    .argument('<ai-source>', 'the source to pause, e.g. chatgpt')
    .description(
      'Stop the workers of a source from claiming runs (the same operation as POST /api/sources/:name/pause). ' +
        'Runs already running finish; the queued ones wait, and nothing is lost.',
    )
    .option('--until <time>', 'an ISO 8601 time in the future (or a day, UTC); left out: until avt resume')
    .option('--reason <text>', 'why, kept in ai_sources.pause_reason (at most 500 characters)')
    .addHelpText('after', EXAMPLE)
    .action(async (aiSource: string, options: { until?: string; reason?: string }) => {
      await withPool('avt-pause', async (pool) => {
        const paused = await refusalsAsUsage(() => pauseSource(createDb(pool), aiSource, options));
        const until = paused.paused_until === 'infinity' ? 'until resumed' : `until ${paused.paused_until}`;
        console.log(`${aiSource} paused ${until}`);
      });
    });
}
