import { hostname } from 'node:os';
import { type Command, Option } from 'commander';
import { UsageError } from '../../usageError.ts';
import type { WorkerConfig } from '../../worker/config.ts';
import { workerIdFromHostname, workerIdFromReverseDns } from '../../worker/workerId.ts';
import { runWorkerProcess } from '../../worker/workerProcess.ts';
import { jobHandlerFor } from '../jobHandlerFor.ts';
import { integer, switchOption } from '../parsers.ts';
import { addCaptureOptions, toCaptureConfig, toHeadedConfig } from './captureOptions.ts';
import { addDbOptions, toPoolSettings } from './dbOptions.ts';
import { addLlmOptions, toLlmConfig } from './llmOptions.ts';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Defines the worker's options on `command` (used by both `worker` and `avt worker`). */
export function defineWorkerCommand(command: Command): Command {
  command
    .description(
      'Claim and run the prompt runs of one AI source until stopped (SIGTERM/SIGINT: finish or release\n' +
        'in-flight jobs, then exit 0). Run as many identical processes or replicas as you like.\n' +
        'Every option can also come from the environment variable shown.',
    )
    .addOption(
      new Option('--ai-source <name>', 'the AI source to work on (a row of ai_sources)').env('AI_SOURCE'),
    )
    .addOption(
      new Option(
        '--worker-id <n>',
        "this worker's number; default: the hostname's trailing ordinal (pod worker-chatgpt-2 → 2), else the\n" +
          "container name's, as the container DNS gives it for this host's address (compose's avt-worker-chatgpt-2)",
      )
        .env('WORKER_ID')
        .argParser(integer(0)),
    )
    .addOption(
      new Option('--concurrency <n>', 'jobs in flight in this process')
        .env('WORKER_CONCURRENCY')
        .argParser(integer(1, 256))
        .default(1),
    )
    .addOption(
      new Option(
        '--lease-seconds <n>',
        "lease per claim, renewed by a heartbeat; default: the source's lease_seconds",
      )
        .env('LEASE_SECONDS')
        .argParser(integer(1, 86_400)),
    )
    .addOption(
      new Option(
        '--shutdown-grace-seconds <n>',
        'on SIGTERM, how long in-flight jobs may run before they are released',
      )
        .env('SHUTDOWN_GRACE_SECONDS')
        .argParser(integer(0, 3_600))
        .default(25),
    )
    .addOption(
      new Option(
        '--metrics-port <port>',
        'serve /metrics, /healthz and /readyz on this port (0: any free port)',
      )
        .env('METRICS_PORT')
        .argParser(integer(0, 65_535)),
    )
    .addOption(switchOption('--once', 'drain what is eligible now, then exit 0', 'WORKER_ONCE'))
    .addOption(
      new Option('--max-jobs <n>', 'exit 0 after this many jobs').env('MAX_JOBS').argParser(integer(1)),
    )
    .addOption(
      new Option(
        '--browser <mode>',
        'per-job: a fresh Chromium per job; shared: one browser, a fresh context per job',
      )
        .env('BROWSER_MODE')
        .choices(['per-job', 'shared'])
        .default('per-job'),
    )
    .addOption(switchOption('--no-migrate', 'do not migrate the database at start', 'NO_MIGRATE'))
    .addOption(
      switchOption(
        '--no-maintenance',
        'do not run the background tasks (rounds, partitions, alerts) here',
        'NO_MAINTENANCE',
      ),
    )
    .addOption(
      new Option('--tracking-cron <cron>', 'when tracking rounds start (UTC; with the background tasks)')
        .env('TRACKING_CRON')
        .default('0 6 * * *'),
    )
    .addOption(
      new Option(
        '--retention-months <n>',
        'drop each month of answers (with their mentions and citations) once all of it is older than this; ' +
          'the daily figures stay (with the background tasks; unset: keep everything)',
      )
        .env('RETENTION_MONTHS')
        .argParser(integer(1, 1_200)),
    )
    .addOption(
      new Option(
        '--alert-webhook-url <url>',
        'a Slack-compatible webhook for alerts; unset: alerts are logged',
      ).env('ALERT_WEBHOOK_URL'),
    )
    .addOption(
      new Option(
        '--listen-url <url>',
        'a direct (not transaction-pooled) session for LISTEN, behind PgBouncer; default DATABASE_URL',
      ).env('DATABASE_LISTEN_URL'),
    )
    .addOption(
      new Option('--log-level <level>', 'trace, debug, info, warn, error')
        .env('LOG_LEVEL')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .addOption(
      new Option('--handler <module>', 'a module exporting createJobHandler(context) that runs each job').env(
        'JOB_HANDLER',
      ),
    )
    .addOption(
      new Option(
        '--poll-interval-ms <ms>',
        'fallback poll when no NOTIFY arrives (retries coming due, expired leases)',
      )
        .env('POLL_INTERVAL_MS')
        .argParser(integer(10, 600_000))
        .default(2_000),
    )
    .addOption(
      new Option('--connect-timeout-seconds <n>', 'keep retrying an unreachable database this long at start')
        .env('DB_CONNECT_TIMEOUT_SECONDS')
        .argParser(integer(0, 3_600))
        .default(30),
    );
  return addDbOptions(addLlmOptions(addCaptureOptions(command)), '--concurrency + 4').action(
    async (options: Record<string, unknown>) => {
      await runWorkerProcess(toConfig(options, await defaultWorkerId(options)));
    },
  );
}

/** --worker-id, else the hostname's ordinal, else the container name's (the reverse DNS of this host). */
async function defaultWorkerId(options: Record<string, unknown>): Promise<number | undefined> {
  return (
    (options.workerId as number | undefined) ??
    workerIdFromHostname(hostname()) ??
    (await workerIdFromReverseDns())
  );
}

function toConfig(options: Record<string, unknown>, workerId: number | undefined): WorkerConfig {
  const aiSource = options.aiSource as string | undefined;
  if (!aiSource) throw new UsageError('--ai-source (or AI_SOURCE) is required, e.g. --ai-source chatgpt');
  if (workerId === undefined) {
    throw new UsageError(
      `no worker id: pass --worker-id or set WORKER_ID (the hostname '${hostname()}' has no trailing -<n> ordinal, ` +
        'nor has a name of this host in DNS)',
    );
  }
  return {
    aiSource,
    workerId,
    concurrency: options.concurrency as number,
    leaseSeconds: options.leaseSeconds as number | undefined,
    shutdownGraceSeconds: options.shutdownGraceSeconds as number,
    metricsPort: options.metricsPort as number | undefined,
    once: options.once === true,
    maxJobs: options.maxJobs as number | undefined,
    migrate: options.migrate !== false,
    maintenance: options.maintenance !== false,
    logLevel: options.logLevel as string,
    pool: toPoolSettings(options),
    createHandler: jobHandlerFor(
      options.handler as string | undefined,
      options.browser as 'per-job' | 'shared',
      toCaptureConfig(options),
      toHeadedConfig(options),
    ),
    pollIntervalMs: options.pollIntervalMs as number,
    connectTimeoutSeconds: options.connectTimeoutSeconds as number,
    trackingCron: options.trackingCron as string,
    retentionMonths: options.retentionMonths as number | undefined,
    alertWebhookUrl: (options.alertWebhookUrl as string | undefined) || undefined,
    listenUrl: (options.listenUrl as string | undefined) || undefined,
    llm: toLlmConfig(options),
  };
}
