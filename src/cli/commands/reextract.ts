import { type Command, Option } from 'commander';
import pino from 'pino';
import { withPool } from '../../db/withPool.ts';
import { createExtractor } from '../../extract/createExtractor.ts';
import { progressBar } from '../../progressBar.ts';
import { ReextractFilterError, reextractAnswers } from '../../tasks/reextractAnswers.ts';
import { UsageError } from '../../usageError.ts';
import { integer } from '../parsers.ts';
import { addLlmOptions, toLlmConfig } from './llmOptions.ts';

const EXAMPLE = `
Examples:
  $ avt reextract --since 2026-09-01                       every answer since 1 September
  $ avt reextract --since 2026-09-01 --brand "Acme CRM"    only answers naming a brand just added
  $ avt reextract --since 2026-11-01 --until 2026-11-30 --ai-source perplexity

Stopped (Ctrl-C, a crash), the same command resumes where it was. From SQL, a worker with maintenance runs it:
  SELECT graphile_worker.add_job('reextract_answers', json_build_object('since', '2026-09-01'));`;

export function registerReextract(program: Command): void {
  addLlmOptions(
    program
      .command('reextract')
      .description(
        'Read stored answers again with the current brand list, after brands or aliases were added or ' +
          "changed: replaces each answer's mentions, its citations' owning brands and (with the LLM) its " +
          'discovered competitors, a batch per transaction; the figures follow at once. Prints how many ' +
          'answers changed.',
      )
      .addOption(new Option('--since <day>', 'required: the first day (UTC, YYYY-MM-DD) of answers to read'))
      .addOption(new Option('--until <day>', 'the last day (UTC, YYYY-MM-DD) to read; default: today'))
      .addOption(new Option('--ai-source <name>', 'only the answers of this source'))
      .addOption(
        new Option('--brand <name>', 'only the answers whose text names this tracked brand or its aliases'),
      )
      .addOption(
        new Option('--batch-size <n>', 'answers per transaction').argParser(integer(1, 10_000)).default(200),
      )
      .addHelpText('after', EXAMPLE),
  ).action(async (options: Record<string, unknown>) => {
    const since = options.since as string | undefined;
    if (!since)
      throw new UsageError('--since <day> is required, e.g. --since 2026-09-01 (see avt reextract --help)');
    const llm = toLlmConfig(options);
    const logger = pino({ level: 'warn' });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await withPool(
        'avt-reextract',
        async (pool) => {
          const extraction = createExtractor(pool, llm, logger);
          const bar = progressBar('answers {bar} {value}/{total} read, {changed} changed | {duration}s');
          let started = false;
          try {
            const result = await reextractAnswers(
              pool,
              extraction.extractor,
              {
                since,
                until: (options.until as string | undefined) ?? null,
                aiSource: (options.aiSource as string | undefined) ?? null,
                brand: (options.brand as string | undefined) ?? null,
              },
              {
                batchSize: options.batchSize as number,
                signal: stop.signal,
                onBatch: (progress) => {
                  if (!started) {
                    started = true;
                    bar.start(progress.total, progress.examined, { changed: progress.changed });
                  }
                  bar.update(progress.examined, { changed: progress.changed });
                },
              },
            ).finally(() => bar.stop());
            const resumed = result.resumed ? ' (resumed)' : '';
            console.log(
              result.finished
                ? `reextract run ${result.runId}${resumed}: ${result.examined} answers read, ${result.changed} changed`
                : `reextract run ${result.runId} stopped after ${result.examined} of ${result.total} answers ` +
                    `(${result.changed} changed); run the same command again to resume`,
            );
            if (!result.finished) process.exitCode = 130;
          } finally {
            await extraction.close();
          }
        },
        3,
      );
    } catch (error) {
      if (error instanceof ReextractFilterError) throw new UsageError(error.message, { cause: error });
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
