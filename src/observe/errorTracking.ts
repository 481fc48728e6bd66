import type { Logger } from 'pino';
import { version } from '../version.ts';

/** Where an unexpected error happened: a run's id and attempt when it was a job's, and the step. */
export interface ErrorContext {
  step: string;
  runId?: string;
  attempt?: number;
}

/**
 * Unexpected errors to Sentry, when SENTRY_DSN is set. Typed job failures (rate limited, captcha, ...) are
 * expected and counted as metrics: callers report only what nothing classified.
 */
export interface ErrorTracker {
  report(error: unknown, context: ErrorContext): void;
  /** Sends what is queued (at exit): resolves within `timeoutMs` whatever the endpoint does. */
  flush(timeoutMs?: number): Promise<void>;
}

const NO_TRACKING: ErrorTracker = { report: () => {}, flush: async () => {} };

/**
 * Sentry's official SDK, loaded only when SENTRY_DSN is set, with the process's tags (`ai_source`,
 * `worker_id`, or `service`), the release, and every event scrubbed of secrets before it leaves.
 */
export async function startErrorTracking(
  tags: Record<string, string>,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ErrorTracker> {
  const dsn = env.SENTRY_DSN;
  if (!dsn) return NO_TRACKING;
  const Sentry = await import('@sentry/node');
  const scrub = secretScrubber(env);
  const environment = env.SENTRY_ENVIRONMENT || 'production';
  Sentry.init({
    dsn,
    release: `ai-visibility-tracker@${version}`,
    environment,
    // Nothing about users, cookies, headers, bodies or query strings is collected; beforeSend scrubs the rest.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
    },
    initialScope: { tags },
    beforeSend: (event) => scrub(event),
    beforeBreadcrumb: (breadcrumb) => scrub(breadcrumb),
  });
  logger.info({ event: 'sentry:on', environment }, 'unexpected errors go to Sentry');
  return {
    report(error, context) {
      Sentry.withScope((scope) => {
        scope.setTag('step', context.step);
        if (context.runId !== undefined) scope.setTag('run_id', context.runId);
        if (context.attempt !== undefined) scope.setTag('attempt', String(context.attempt));
        Sentry.captureException(error);
      });
    },
    async flush(timeoutMs = 2_000) {
      await Sentry.flush(timeoutMs);
    },
  };
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/\s]+@/gi;
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-api-key|proxy-authorization)$/i;
const SECRET_ENV = ['LLM_API_KEY', 'AVT_API_TOKEN', 'ALERT_WEBHOOK_URL', 'PGPASSWORD'];

/**
 * Returns a function that rewrites an event (or breadcrumb) in place of itself: passwords in URLs become
 * `***`, the values of the secret environment variables (and of passwords in the database URLs) become
 * `[redacted]` wherever they appear, and cookies and authorization headers are dropped.
 */
export function secretScrubber(env: NodeJS.ProcessEnv): <T>(value: T) => T {
  const secrets = SECRET_ENV.map((name) => env[name]).filter(
    (value): value is string => !!value && value.length >= 6,
  );
  for (const name of ['DATABASE_URL', 'READ_DATABASE_URL', 'DATABASE_LISTEN_URL']) {
    const password = passwordOf(env[name]);
    if (password) secrets.push(password);
  }
  const scrubString = (text: string): string => {
    let out = text.replace(URL_PASSWORD, '$1***@');
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(value)) {
        if (SECRET_HEADERS.test(name) || name === 'cookies') continue;
        out[name] = walk(item);
      }
      return out;
    }
    return value;
  };
  return <T>(value: T): T => walk(value) as T;
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length >= 4 ? password : undefined;
  } catch {
    return undefined;
  }
}
