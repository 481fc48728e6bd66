import { Logger as GraphileLogger, type Runner, run, type Task } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../db/kysely.ts';
import type { Extractor } from '../extract/extractor.ts';
import type { Alert } from '../queue/recordFailures.ts';
import { compactDailyFigures } from './compactDailyFigures.ts';
import { maintainPartitions } from './maintainPartitions.ts';
import { type ReextractPayload, reextractResponse } from './reextract.ts';
import { ReextractFilterError, reextractAnswers } from './reextractAnswers.ts';
import { scheduleRound } from './scheduleRound.ts';
import { sendAlert } from './sendAlert.ts';

export interface MaintenanceOptions {
  pool: pg.Pool;
  db: Db;
  logger: Logger;
  /** When tracking rounds start (cron, UTC). */
  trackingCron: string;
  /** Months of answers maintain_partitions keeps (RETENTION_MONTHS); undefined: all of them. */
  retentionMonths: number | undefined;
  /** Where alerts go; when unset they are only logged. */
  alertWebhookUrl: string | undefined;
  /** Runs `reextract` jobs: the LLM over answers the rules extracted while it was down. */
  extractor: Extractor;
}

/** graphile-worker's log lines, through our logger. */
export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const line = { event: 'maintenance:log', scope, ...meta };
    if (level === 'error') logger.error(line, message);
    else if (level === 'warning') logger.warn(line, message);
    else logger.debug(line, message);
  });
}

/**
 * The background tasks that must happen once across all replicas, run by graphile-worker on the worker's
 * pool: the tracking round (crontab), partition upkeep (daily), compaction of the daily figures (every
 * minute), alert delivery (retried), re-extraction of answers the rules extracted while the LLM was down
 * (retried until the LLM is back), and `avt reextract` runs started from SQL (reextract_answers).
 */
export async function startMaintenance(options: MaintenanceOptions): Promise<Runner> {
  const { db, logger } = options;
  const taskList: Record<string, Task> = {
    schedule_round: async (payload) => {
      const tick = (payload as { _cron?: { ts?: string } } | null)?._cron?.ts;
      const round = await scheduleRound(db, tick ? 'cron' : 'manual', tick ? new Date(tick) : null);
      logger.info(
        { event: 'round:scheduled', round: round.roundId, runs: round.runsCreated },
        'tracking round',
      );
    },
    compact_daily_figures: async () => {
      const folded = await compactDailyFigures(db);
      logger.debug({ event: 'figures:compacted', rows: folded }, 'daily figures compacted');
    },
    maintain_partitions: async () => {
      const { created, dropped } = await maintainPartitions(db, { retentionMonths: options.retentionMonths });
      if (created.length > 0) logger.info({ event: 'partitions:created', partitions: created }, 'partitions');
      if (dropped.length > 0) {
        logger.info(
          { event: 'partitions:dropped', partitions: dropped, retention_months: options.retentionMonths },
          `retention: dropped the answers older than ${options.retentionMonths} months (their figures stay)`,
        );
      }
    },
    send_alert: async (payload) => {
      const alert = payload as Alert;
      if (!options.alertWebhookUrl) {
        logger.warn({ event: 'alert:unsent', alert }, `alert (no ALERT_WEBHOOK_URL set): ${alert.text}`);
        return;
      }
      await sendAlert(options.alertWebhookUrl, alert);
      logger.info({ event: 'alert:sent', alert_event: alert.event }, 'alert sent');
    },
    reextract: async (payload) => {
      const applied = await reextractResponse(options.pool, options.extractor, payload as ReextractPayload);
      logger.info(
        { event: 'reextract:done', response_id: (payload as ReextractPayload).response_id, applied },
        'response re-extracted by the LLM',
      );
    },
  };
  // `avt reextract` as a job: a minute of batches at a time, then the job queues its own continuation, so
  // alerts and rounds are never held up behind a long run.
  taskList.reextract_answers = async (payload, helpers) => {
    const given = (payload ?? {}) as Record<string, string | null | undefined>;
    if (!given.since) {
      logger.error(
        { event: 'reextract_answers:bad_payload', payload },
        'reextract_answers needs {"since": "YYYY-MM-DD"}',
      );
      return;
    }
    try {
      const progress = await reextractAnswers(
        options.pool,
        options.extractor,
        {
          since: given.since,
          until: given.until ?? null,
          aiSource: given.ai_source ?? null,
          brand: given.brand ?? null,
        },
        { batchSize: 200, timeLimitMs: 60_000 },
      );
      logger.info(
        {
          event: 'reextract_answers:progress',
          run: progress.runId,
          examined: progress.examined,
          changed: progress.changed,
          finished: progress.finished,
        },
        progress.finished ? 'reextraction finished' : 'reextraction continues',
      );
      if (!progress.finished) await helpers.addJob('reextract_answers', given);
    } catch (error) {
      // A bad filter will not get better by retrying: say so once.
      if (!(error instanceof ReextractFilterError)) throw error;
      logger.error({ event: 'reextract_answers:bad_payload', payload, err: error }, error.message);
    }
  };
  return run({
    pgPool: options.pool,
    taskList,
    crontab: [
      `${options.trackingCron} schedule_round`,
      '17 3 * * * maintain_partitions',
      '* * * * * compact_daily_figures',
    ].join('\n'),
    concurrency: 1,
    // Unbatched, graphile-worker records a job's end without awaiting it, and a connection cut right then
    // ends the process (an unhandled rejection). Batched (even with no delay), the same failure stops the
    // runner instead, which superviseMaintenance starts again.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    noHandleSignals: true,
    pollInterval: 5_000,
    logger: graphileLogger(logger),
  });
}
