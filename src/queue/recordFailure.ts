import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import type { Lease } from './claimedRun.ts';
import { type Failure, failPromptRun } from './failPromptRun.ts';

export interface Alert {
  /** `run_dead` or `source_paused`. */
  event: string;
  aiSource: string;
  runId?: string;
  errorKind?: string;
  text: string;
}

export interface FailureRecord {
  failure: Failure;
  /** Pause the whole source: for some seconds, or until a person resumes it (`avt resume`). */
  pauseSource?: { seconds: number | 'until_resumed'; reason: string } | undefined;
  aiSource: string;
  /** The alert to send when the run ends up dead. */
  deadAlert: (attempts: number) => Alert;
  /** The alert to send when the source is paused. */
  pauseAlert?: Alert | undefined;
}

export interface FailureOutcome {
  /** False: the lease was gone, nothing was recorded. */
  held: boolean;
  status?: 'queued' | 'dead';
  alerts: Alert[];
}

/**
 * Records a failed attempt, pauses the source when asked, and enqueues the alerts (graphile-worker's
 * `send_alert`), all in one transaction: a dead run or a paused source always comes with its alert.
 */
export async function recordFailure(db: Db, lease: Lease, record: FailureRecord): Promise<FailureOutcome> {
  return db.transaction().execute(async (tx) => {
    if (!(await failPromptRun(tx, lease, record.failure))) return { held: false, alerts: [] };
    if (record.failure.artifactsPath) {
      await tx
        .updateTable('run_attempts')
        .set({ artifacts_path: record.failure.artifactsPath })
        .where('lease_token', '=', lease.leaseToken)
        .execute();
    }
    const run = await tx
      .selectFrom('prompt_runs')
      .select(['status', 'attempts'])
      .where('id', '=', lease.runId)
      .executeTakeFirstOrThrow();
    const status = run.status === 'dead' ? 'dead' : 'queued';
    const alerts: Alert[] = [];
    if (status === 'dead') alerts.push(record.deadAlert(run.attempts));
    if (record.pauseSource) {
      const { seconds, reason } = record.pauseSource;
      const until =
        seconds === 'until_resumed'
          ? sql<Date>`'infinity'::timestamptz`
          : sql<Date>`greatest(coalesce(paused_until, now()), now() + make_interval(secs => ${seconds}))`;
      await tx
        .updateTable('ai_sources')
        .set({ paused_until: until, pause_reason: reason })
        .where('name', '=', record.aiSource)
        .execute();
      if (record.pauseAlert) alerts.push(record.pauseAlert);
    }
    for (const alert of alerts) {
      await sql`SELECT graphile_worker.add_job('send_alert', ${JSON.stringify(alert)}::json, max_attempts => 10)`.execute(
        tx,
      );
    }
    return { held: true, status, alerts };
  });
}
