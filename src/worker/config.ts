import type { LlmConfig } from '../extract/llmConfig.ts';

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
  browser: 'per-job' | 'shared';
  migrate: boolean;
  maintenance: boolean;
  logLevel: string;
  /** A module exporting `createJobHandler`. */
  handler: string | undefined;
  pollIntervalMs: number;
  connectTimeoutSeconds: number;
  trackingCron: string;
  alertWebhookUrl: string | undefined;
  /** A direct (not transaction-pooled) URL for LISTEN; DATABASE_URL when unset. */
  listenUrl: string | undefined;
  capture: CaptureConfig;
  /** The LLM extractor; undefined: the rule extractor alone. */
  llm: LlmConfig | undefined;
}

/** How the built-in handler drives the browser (used when no --handler is given). */
export interface CaptureConfig {
  /** Replaces the adapter's site URL (e.g. the bundled mock); AVT_<SOURCE>_URL when unset. */
  baseUrl: string | undefined;
  storageState: string | undefined;
  /** Rotated per job. */
  proxies: string[];
  locale: string | undefined;
  timezone: string | undefined;
  geolocation: { latitude: number; longitude: number } | undefined;
  blockResources: string[];
  traceOnFailure: boolean;
  artifactsDir: string;
  answerTimeoutSeconds: number;
  stableMs: number;
  recycleAfterJobs: number;
  /** Shared mode: contexts with an open page kept ready for the next jobs. */
  warmPages: number;
}
