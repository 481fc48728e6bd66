import type { ClaimedRun } from '../job/claimedRun.ts';
import type { ClassifiedError } from '../job/errors.ts';
import type { FailureRecord } from '../queue/recordFailures.ts';

/** How long a rate-limited source cools down when the platform gave no Retry-After. */
export const DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS = 60;

/**
 * What the worker does with each kind of failure:
 * - rate_limited: the run is retried after the cooldown (Retry-After when known) and the source pauses for
 *   every worker for that long; the attempt is not charged.
 * - captcha, login_required: the source pauses until a person resumes it (`avt resume <source>`) and an
 *   alert goes out; the run waits, its attempt not charged.
 * - bad_input, selector_drift: dead at once, with an alert (for drift: the adapter needs an update).
 * - timeout, navigation, browser_crash, unknown: retried with backoff; dead with an alert after max_attempts.
 */
export function planFailure(run: ClaimedRun, error: ClassifiedError): FailureRecord {
  const deadAlert = {
    event: 'run_dead',
    aiSource: run.aiSource,
    runId: run.runId,
    errorKind: error.kind,
    text:
      error.kind === 'selector_drift'
        ? `[${run.aiSource}] run ${run.runId} is dead: the ${run.aiSource} adapter could not read the page (${error.message}); its selectors need an update`
        : `[${run.aiSource}] run ${run.runId} is dead after {attempts} attempt(s): ${error.kind}: ${error.message}`,
  };
  const record: FailureRecord = {
    failure: {
      kind: error.kind,
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      artifactsPath: error.artifactsPath,
    },
    deadAlert,
  };
  if (error.kind === 'rate_limited') {
    const seconds = Math.ceil(error.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_COOLDOWN_SECONDS);
    record.failure.retryAfterSeconds = seconds;
    record.pauseSource = { seconds, reason: `rate_limited: ${error.message}` };
  }
  if (error.kind === 'captcha' || error.kind === 'login_required') {
    record.pauseSource = { seconds: 'until_resumed', reason: `${error.kind}: ${error.message}` };
    record.pauseAlert = {
      event: 'source_paused',
      aiSource: run.aiSource,
      runId: run.runId,
      errorKind: error.kind,
      text: `[${run.aiSource}] paused: ${error.kind === 'captcha' ? 'a captcha or bot check' : 'a login wall'} needs a person (${error.message}). Resume with: avt resume ${run.aiSource}`,
    };
  }
  return record;
}
