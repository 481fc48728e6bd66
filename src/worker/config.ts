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
}
