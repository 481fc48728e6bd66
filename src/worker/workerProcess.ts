import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { runMigrations } from 'graphile-worker';
import { retryStartupStep, waitForDatabase } from '../db/connectWithRetry.ts';
import { openDatabase } from '../db/database.ts';
import { createDb } from '../db/kysely.ts';
import { migrate, newerSchemaNotice } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { readAiSource } from '../db/sources.ts';
import { registerWorker, stopWorker, touchWorker } from '../db/workers.ts';
import { createExtractor } from '../extract/createExtractor.ts';
import { startErrorTracking } from '../observe/errorTracking.ts';
import { startHealthServer } from '../observe/healthServer.ts';
import { createLogger } from '../observe/logger.ts';
import { createWorkerMetrics, PROCESSED_STATUS } from '../observe/metrics.ts';
import { listenForQueuedRuns } from '../queue/wakeups.ts';
import { graphileLogger, startMaintenance } from '../tasks/runner.ts';
import { superviseMaintenance } from '../tasks/superviseMaintenance.ts';
import { UsageError } from '../usageError.ts';
import { version } from '../version.ts';
import { Cleanup, exitIfLingering } from './cleanup.ts';
import type { WorkerConfig } from './config.ts';
import { workerConnectionBudget } from './connectionBudget.ts';
import { withExtraction } from './extractingHandler.ts';
import { PromptWorker } from './promptWorker.ts';

const TOUCH_INTERVAL_MS = 10_000;

/**
 * One worker process from start to exit: database (retried), migrations, registration, the LISTEN session,
 * graphile-worker's background tasks, the claim loop, metrics, and graceful shutdown on SIGTERM/SIGINT.
 */
export async function runWorkerProcess(config: WorkerConfig): Promise<void> {
  const logger = createLogger(config.logLevel, { worker_id: config.workerId, ai_source: config.aiSource });
  const budget = workerConnectionBudget(config, logger);
  const errors = await startErrorTracking(
    { ai_source: config.aiSource, worker_id: String(config.workerId) },
    logger,
  );
  const database = await openDatabase();
  const applicationName = `avt-worker:${config.aiSource}:${config.workerId}`;
  const pool = createPool(database.url, { ...config.pool, max: budget.poolMax, applicationName, logger });
  logger.info(
    {
      event: 'db:connections',
      max_connections: budget.total,
      pool_max: budget.poolMax,
      statement_timeout_ms: config.pool.statementTimeoutMs ?? null,
      application_name: applicationName,
    },
    `may open ${budget.total} database connections: a pool of ${budget.poolMax}` +
      `${config.maintenance ? " (graphile-worker's LISTEN holds one of them)" : ''} and one LISTEN session`,
  );
  const db = createDb(pool);
  const cleanup = new Cleanup(logger);
  cleanup.add('send the error reports still queued', () => errors.flush());
  cleanup.add('release the database', () => database.release());
  cleanup.add('close the database pool', () => {
    // A client still checked out now was never released: pool.end() would wait for it for ever.
    const checkedOut = pool.totalCount - pool.idleCount;
    if (checkedOut > 0) {
      logger.warn(
        { event: 'shutdown:pool:busy', checked_out: checkedOut },
        `${checkedOut} database connection(s) still checked out at exit`,
      );
    }
    return db.destroy();
  });

  let stopSignals = () => {};
  try {
    await waitForDatabase(pool, database.url, config.connectTimeoutSeconds).catch((error: Error) => {
      throw new UsageError(error.message, { cause: error });
    });
    // A connection cut during start-up (a terminated backend, a restarting server) is waited out: each step
    // below is safe to repeat (migrations are transactional, a repeated registration leaves a row that only
    // shows as vanished).
    const startupStep = <T>(step: string, run: () => Promise<T>) =>
      retryStartupStep(run, {
        step,
        timeoutSeconds: config.connectTimeoutSeconds,
        onRetry: (error, delayMs) =>
          logger.warn(
            { event: 'startup:waiting', step, err: error, retry_in_ms: delayMs },
            `waiting for the database: could not ${step} (${(error as Error).message}); retrying in ${delayMs} ms`,
          ),
      });
    if (config.migrate) {
      const notice = newerSchemaNotice(await startupStep('migrate the database', () => migrate(pool)));
      if (notice) logger.info({ event: 'migrate:newer-schema' }, notice);
      // graphile-worker's schema: alerts are enqueued with the failure that causes them, even without
      // --maintenance. With --no-migrate it is left to `avt migrate`, which installs it too: a worker role
      // (avt_worker) may not create schemas.
      await startupStep("install graphile-worker's schema", () =>
        runMigrations({ pgPool: pool, logger: graphileLogger(logger) }),
      );
    }
    const { rows: settings } = await startupStep('read the server settings', () =>
      pool.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`),
    );
    if (settings[0]?.autovacuum !== 'on') {
      logger.warn(
        { event: 'db:autovacuum:off' },
        'autovacuum is off on this server: every claim leaves dead index entries that only VACUUM removes, so ' +
          'claims slow down as they pile up; turn it on (docs/performance.md, "Soak")',
      );
    }
    const source = await startupStep('read the AI source', () => readAiSource(db, config.aiSource));
    if (!source.found) {
      throw new UsageError(
        `unknown AI source '${config.aiSource}'; known sources: ${source.known.join(', ')}`,
      );
    }
    const workerTag = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const metrics = createWorkerMetrics({ ai_source: config.aiSource, worker_id: String(config.workerId) });
    const extraction = createExtractor(pool, config.llm, logger, {
      onRequest: (outcome) => metrics.llmRequests.inc({ outcome }),
      onBreaker: (open) => metrics.llmBreakerOpen.set(open ? 1 : 0),
    });
    cleanup.add('close the LLM client', () => extraction.close());
    await startupStep('read the tracked brands', () => extraction.readBrands());
    const capture = await config.createHandler({
      aiSource: config.aiSource,
      workerId: config.workerId,
      logger,
    });
    cleanup.add('close the capture handler (browsers)', async () => capture.close?.());
    const handler = withExtraction(capture, extraction.extractor, {
      onCaptured: (seconds) => metrics.scrapeDuration.observe(seconds),
      onExtracted: (method, seconds) => {
        metrics.extractions.inc({ method });
        if (!extraction.extractor.usesLlm) return;
        metrics.llmExtractions.inc({ status: method === 'llm' ? 'ok' : 'fallback' });
        metrics.llmExtractionDuration.observe(seconds);
      },
    });

    const worker = new PromptWorker({
      pool,
      handler,
      logger,
      aiSource: config.aiSource,
      workerId: config.workerId,
      workerTag,
      concurrency: config.concurrency,
      leaseSeconds: config.leaseSeconds,
      sourceLeaseSeconds: source.leaseSeconds,
      pollIntervalMs: config.pollIntervalMs,
      once: config.once,
      maxJobs: config.maxJobs,
      onUnexpectedError: (error, context) => errors.report(error, context),
      onJobFinished: ({ outcome, errorKind, durationMs }) => {
        metrics.jobs.inc({ outcome, error_kind: errorKind ?? '' });
        metrics.jobDuration.observe(durationMs / 1000);
        const status = PROCESSED_STATUS[outcome];
        if (status) metrics.promptsProcessed.inc({ status });
      },
    });

    const registration = await startupStep('register the worker', () =>
      registerWorker(db, {
        workerId: config.workerId,
        aiSource: config.aiSource,
        workerTag,
        host: hostname(),
        pid: process.pid,
        version,
        concurrency: config.concurrency,
        dbConnections: budget.total,
      }),
    );
    const touch = setInterval(() => {
      touchWorker(db, registration.id).catch((error: unknown) =>
        logger.warn({ event: 'worker:touch:failed', err: error }, 'could not refresh the workers row'),
      );
    }, TOUCH_INTERVAL_MS);
    cleanup.add('mark the worker stopped', async () => {
      clearInterval(touch);
      await stopWorker(db, registration.id);
    });

    const wakeups = listenForQueuedRuns({
      connectionString: config.listenUrl ?? database.url,
      applicationName: `${applicationName}:listen`,
      onQueued: (aiSource) => {
        if (aiSource === config.aiSource) worker.wake();
      },
      onReconnected: () => worker.wake(),
      logger,
    });
    cleanup.add('close the LISTEN session', () => wakeups.close());
    await wakeups.ready;

    if (config.maintenance) {
      const maintenance = await superviseMaintenance(
        () =>
          startMaintenance({
            pool,
            db,
            logger,
            trackingCron: config.trackingCron,
            retentionMonths: config.retentionMonths,
            alertWebhookUrl: config.alertWebhookUrl,
            extractor: extraction.extractor,
          }),
        logger,
      );
      cleanup.add('stop the background tasks', () => maintenance.stop());
    }

    let accepting = true;
    if (config.metricsPort !== undefined) {
      const health = await startHealthServer(config.metricsPort, metrics.registry, () => accepting);
      cleanup.add('close the metrics server', () => health.close());
      logger.info({ event: 'metrics:listening', port: health.port }, `metrics on :${health.port}/metrics`);
    }
    const sampleInFlight = setInterval(() => metrics.inFlight.set(worker.inFlight), 1_000);
    cleanup.add('stop sampling in-flight jobs', async () => clearInterval(sampleInFlight));

    let stopping: Promise<void> | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) {
        accepting = false;
        logger.info(
          {
            event: 'worker:stopping',
            signal,
            in_flight: worker.inFlight,
            grace_seconds: config.shutdownGraceSeconds,
          },
          `${signal}: no new claims; finishing in-flight jobs`,
        );
        stopping = worker.stop(config.shutdownGraceSeconds * 1000);
      } else {
        logger.warn(
          { event: 'worker:stopping:now', signal },
          `${signal} again: releasing in-flight jobs now`,
        );
        worker.abortAll();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    stopSignals = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // Everything is closed: a signal arriving while the process winds down just ends it, still cleanly.
      const exitNow = () => process.exit(process.exitCode ?? 0);
      process.once('SIGTERM', exitNow);
      process.once('SIGINT', exitNow);
    };

    logger.info(
      {
        event: 'worker:started',
        concurrency: config.concurrency,
        locked_by: registration.lockedBy,
        version,
      },
      `worker ${config.workerId} claiming ${config.aiSource} runs`,
    );
    await worker.run();
    await stopping;
    logger.info({ event: 'worker:stopped' }, 'worker stopped');
  } catch (error) {
    // A bad setting is the operator's to fix (exit 2, one line); anything else is ours to hear about.
    if (!(error instanceof UsageError)) errors.report(error, { step: 'run the worker' });
    throw error;
  } finally {
    await cleanup.run();
    stopSignals();
    exitIfLingering(logger);
  }
}
