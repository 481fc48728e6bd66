import type { PoolSettings } from '../db/pool.ts';
import type { LlmConfig } from '../extract/llmConfig.ts';
import type { CreateJobHandler } from '../job/handler.ts';

export interface WorkerConfig {
  aiSource: string;
  workerId: number;
  concurrency: number;
  /** undefined: the source's lease_seconds. */
  leaseSeconds: number | undefined;
  shutdownGraceSeconds: number;
  /** undefined: no metrics/health server. */
  metricsPort: number | undefined;
  once: boolean;
  maxJobs: number | undefined;
  migrate: boolean;
  maintenance: boolean;
  logLevel: string;
  /** DB_POOL_MAX (default: concurrency + 4), DB_STATEMENT_TIMEOUT_MS, DB_IDLE_TIMEOUT_MS. */
  pool: PoolSettings;
  /** Makes the job handler (a --handler module, or the built-in browser capture; src/cli wires it). */
  createHandler: CreateJobHandler;
  pollIntervalMs: number;
  connectTimeoutSeconds: number;
  trackingCron: string;
  /** RETENTION_MONTHS: months of answers to keep; undefined: keep everything. */
  retentionMonths: number | undefined;
  alertWebhookUrl: string | undefined;
  /** A direct (not transaction-pooled) URL for LISTEN; DATABASE_URL when unset. */
  listenUrl: string | undefined;
  /** The LLM extractor; undefined: the rule extractor alone. */
  llm: LlmConfig | undefined;
}
