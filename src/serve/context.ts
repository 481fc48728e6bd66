import type pg from 'pg';
import type { Logger } from 'pino';
import type { LlmConfig } from '../extract/llmConfig.ts';
import type { ErrorTracker } from '../observe/errorTracking.ts';
import type { ResultsCache } from './resultsCache.ts';

/** What every route of `avt serve` is given. */
export interface ServeContext {
  /** Figures and evidence are read here: READ_DATABASE_URL when set (a read replica), else DATABASE_URL. */
  readPool: pg.Pool;
  /** Actions (retry, pause, enqueue, import) write here: DATABASE_URL. */
  writePool: pg.Pool;
  /** The cache of figures, dropped when new results commit. */
  results: ResultsCache;
  logger: Logger;
  /** AVT_API_TOKEN; undefined: no authentication (the server then listens on loopback only). */
  token: string | undefined;
  /** The LLM API the readiness check asks; undefined: not configured. */
  llm: LlmConfig | undefined;
  /** Where a request's unexpected error (a 500) is reported: Sentry when SENTRY_DSN is set. */
  errors?: ErrorTracker;
}
