import type { Queryable } from '../db/queryable.ts';
import type { Lease } from '../job/claimedRun.ts';
import type { Failure } from './failPromptRun.ts';

export interface Alert {
  /** `run_dead` or `source_paused`. */
  event: string;
  aiSource: string;
  runId?: string;
  errorKind?: string;
  text: string;
}

/** A failed attempt and what it brings: a pause of the run's source, and the alerts to send. */
export interface FailureRecord {
  failure: Failure;
  /** Pause the whole source: for some seconds, or until a person resumes it (`avt resume`). */
  pauseSource?: { seconds: number | 'until_resumed'; reason: string } | undefined;
  /** The alert to send when the run ends up dead; `{attempts}` in its text becomes the attempt count. */
  deadAlert?: Alert | undefined;
  /** The alert to send with the pause. */
  pauseAlert?: Alert | undefined;
}

export interface RunFailure {
  lease: Lease;
  record: FailureRecord;
}

/**
 * Records failed attempts, pausing sources and enqueueing alerts (graphile-worker's `send_alert`), in one
 * statement (sql/055_record_prompt_run_failures.sql): a dead run or a paused source always comes with its
 * alert. Returns each run's new status, in order, or null where the lease no longer held.
 */
export async function recordFailures(
  db: Queryable,
  failures: readonly RunFailure[],
): Promise<('queued' | 'dead' | null)[]> {
  const { rows } = await db.query<{ status: 'queued' | 'dead' | null }>({
    name: 'avt_record_prompt_run_failures',
    text: 'SELECT status FROM record_prompt_run_failures($1::jsonb)',
    values: [JSON.stringify(failures.map(failureJson))],
  });
  return rows.map((row) => row.status);
}

function failureJson({ lease, record }: RunFailure) {
  const { failure, pauseSource } = record;
  return {
    run_id: lease.runId,
    lease_token: lease.leaseToken,
    error_kind: failure.kind,
    error: failure.message,
    retry_after_seconds:
      failure.retryAfterSeconds === undefined ? null : Math.ceil(failure.retryAfterSeconds),
    artifacts_path: failure.artifactsPath ?? null,
    pause_seconds: pauseSource?.seconds ?? null,
    pause_reason: pauseSource?.reason ?? null,
    ...(record.deadAlert ? { dead_alert: record.deadAlert } : {}),
    ...(record.pauseAlert ? { pause_alert: record.pauseAlert } : {}),
  };
}
