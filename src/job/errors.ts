/**
 * What can go wrong in a job, one class per kind the runtime must tell apart. Each kind is a row of the
 * `error_kinds` table; failurePolicy.ts says what the worker does with each. Data lives in fields, not in
 * the message; set `cause` when wrapping.
 */
export type ErrorKind =
  | 'rate_limited'
  | 'captcha'
  | 'login_required'
  | 'timeout'
  | 'navigation'
  | 'browser_crash'
  | 'bad_input'
  | 'selector_drift'
  | 'unknown';

export abstract class JobError extends Error {
  abstract readonly kind: ErrorKind;
}

/** The platform said "too many requests": the run is retried later and the source cools down for all workers. */
export class RateLimitedError extends JobError {
  readonly kind = 'rate_limited';
  /** The platform's Retry-After, when it gave one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A captcha or bot check: the source is paused until a person resumes it (`avt resume`), and an alert is sent. */
export class CaptchaError extends JobError {
  readonly kind = 'captcha';
  override name = 'CaptchaError';
}

/** A login wall: the saved session needs a person; the source is paused and an alert is sent. */
export class LoginRequiredError extends JobError {
  readonly kind = 'login_required';
  override name = 'LoginRequiredError';
}

/** The answer did not complete in time: retried with backoff. */
export class JobTimeoutError extends JobError {
  readonly kind = 'timeout';
  override name = 'JobTimeoutError';
}

/** The page could not be loaded: retried with backoff. */
export class NavigationError extends JobError {
  readonly kind = 'navigation';
  override name = 'NavigationError';
}

/** The browser died: retried with backoff (on a fresh browser). */
export class BrowserCrashError extends JobError {
  readonly kind = 'browser_crash';
  override name = 'BrowserCrashError';
}

/** The prompt cannot be run as it is: dead at once, with an alert. */
export class BadInputError extends JobError {
  readonly kind = 'bad_input';
  override name = 'BadInputError';
}

/** The adapter could not find the answer or prove completion: dead at once, alert that it needs an update. */
export class SelectorDriftError extends JobError {
  readonly kind = 'selector_drift';
  override name = 'SelectorDriftError';
}

export interface ClassifiedError {
  kind: ErrorKind;
  message: string;
  retryAfterSeconds?: number | undefined;
  /** Where the job saved its screenshot and page HTML, if it did. */
  artifactsPath?: string | undefined;
}

const artifacts = new WeakMap<object, string>();

/** Records where the failure's artifacts were saved, for the attempt row. */
export function attachArtifacts<E>(error: E, path: string): E {
  if (typeof error === 'object' && error !== null) artifacts.set(error, path);
  return error;
}

/** The one place that maps any thrown value to an error kind. */
export function classifyError(error: unknown): ClassifiedError {
  const classified = classifyKind(error);
  const path = typeof error === 'object' && error !== null ? artifacts.get(error) : undefined;
  return path ? { ...classified, artifactsPath: path } : classified;
}

function classifyKind(error: unknown): ClassifiedError {
  if (error instanceof RateLimitedError) {
    return { kind: error.kind, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof JobError) return { kind: error.kind, message: error.message };
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return { kind: 'timeout', message: error.message };
    return { kind: 'unknown', message: `${error.name}: ${error.message}` };
  }
  return { kind: 'unknown', message: String(error) };
}
