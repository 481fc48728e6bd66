import { type Command, Option } from 'commander';
import { LLM_DEFAULTS, type LlmConfig } from '../../extract/llmConfig.ts';
import { UsageError } from '../../usageError.ts';
import { integer } from '../parsers.ts';

/** The LLM extractor's options; without --llm-base-url the rule extractor does all the extraction. */
export function addLlmOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--llm-base-url <url>',
        'an OpenAI-compatible API (…/v1); unset: rules only. The key comes from LLM_API_KEY',
      ).env('LLM_BASE_URL'),
    )
    .addOption(
      new Option('--llm-model <name>', 'the model to ask').env('LLM_MODEL').default(LLM_DEFAULTS.model),
    )
    .addOption(
      new Option(
        '--llm-rate-per-min <n>',
        'LLM requests per minute across ALL workers together; unset: no limit',
      )
        .env('LLM_RATE_PER_MIN')
        .argParser(integer(1, 1_000_000)),
    )
    .addOption(
      new Option('--llm-batch-size <n>', 'answers per LLM request')
        .env('LLM_BATCH_SIZE')
        .argParser(integer(1, 100))
        .default(LLM_DEFAULTS.batchSize),
    )
    .addOption(
      new Option('--llm-batch-wait-ms <ms>', 'how long an answer waits for others to share its request')
        .env('LLM_BATCH_WAIT_MS')
        .argParser(integer(0, 600_000))
        .default(LLM_DEFAULTS.batchWaitMs),
    )
    .addOption(
      new Option('--llm-timeout-ms <ms>', 'per LLM request')
        .env('LLM_TIMEOUT_MS')
        .argParser(integer(100, 600_000))
        .default(LLM_DEFAULTS.timeoutMs),
    );
}

export function toLlmConfig(options: Record<string, unknown>): LlmConfig | undefined {
  const baseUrl = options.llmBaseUrl as string | undefined;
  if (!baseUrl) return undefined;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(
      `--llm-base-url (LLM_BASE_URL) is not a URL: '${baseUrl}', e.g. https://api.openai.com/v1`,
    );
  }
  if (!['http:', 'https:'].includes(url.protocol)) {
    throw new UsageError(`--llm-base-url (LLM_BASE_URL) must be http(s), got '${baseUrl}'`);
  }
  return {
    baseUrl,
    // The key is read from the environment alone: a flag would show it in ps.
    apiKey: process.env.LLM_API_KEY || undefined,
    model: options.llmModel as string,
    ratePerMin: options.llmRatePerMin as number | undefined,
    batchSize: options.llmBatchSize as number,
    batchWaitMs: options.llmBatchWaitMs as number,
    timeoutMs: options.llmTimeoutMs as number,
    maxRetries: LLM_DEFAULTS.maxRetries,
    breakerFailures: LLM_DEFAULTS.breakerFailures,
    breakerCooldownMs: LLM_DEFAULTS.breakerCooldownMs,
  };
}
