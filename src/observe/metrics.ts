import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * prompts_processed_total's status for a job's outcome: an attempt that ended in an answer (done) or an error,
 * retried later (failed) or for good (dead). Released and lease-lost jobs were not processed: another attempt
 * will answer them, so they count in avt_jobs_total only.
 */
export const PROCESSED_STATUS: Partial<Record<string, 'done' | 'failed' | 'dead'>> = {
  done: 'done',
  retry: 'failed',
  dead: 'dead',
};

/** The worker's Prometheus metrics, on a registry of its own. */
export function createWorkerMetrics(labels: { ai_source: string; worker_id: string }) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  const metrics = {
    registry,
    jobs: new Counter({
      name: 'avt_jobs_total',
      help: 'Jobs finished, by outcome (done, retry, dead, released, lease_lost) and error kind',
      labelNames: ['outcome', 'error_kind'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'avt_job_duration_seconds',
      help: 'Wall time of a job from claim to commit',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 40, 60, 120, 300],
      registers: [registry],
    }),
    extractions: new Counter({
      name: 'avt_extractions_total',
      help: 'Answers extracted, by method (llm, or rules when no LLM is configured or it could not help)',
      labelNames: ['method'],
      registers: [registry],
    }),
    llmRequests: new Counter({
      name: 'avt_llm_requests_total',
      help: 'LLM API requests, by outcome (ok, rate_limited, failed, malformed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    llmBreakerOpen: new Gauge({
      name: 'avt_llm_breaker_open',
      help: '1 while the LLM circuit breaker is open (answers are extracted by rules and queued for reextract)',
      registers: [registry],
    }),
    // The seed's names (docs/observe.md), beside the avt_* ones: its dashboard and alerts read these.
    promptsProcessed: new Counter({
      name: 'prompts_processed_total',
      help: 'Attempts that ended with an answer or an error, by status: done, failed (retried later), dead (failed for good); ai_source is a default label',
      labelNames: ['status'],
      registers: [registry],
    }),
    scrapeDuration: new Histogram({
      name: 'scrape_duration_seconds',
      help: 'Time to capture an answer on the AI site (the browser part of a job, before extraction); ai_source is a default label',
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180],
      registers: [registry],
    }),
    llmExtractions: new Counter({
      name: 'llm_extractions_total',
      help: 'Answers extracted while an LLM is configured, by status: ok (the LLM answered), fallback (rules stood in, reextract queued)',
      labelNames: ['status'],
      registers: [registry],
    }),
    llmExtractionDuration: new Histogram({
      name: 'llm_extraction_duration_seconds',
      help: 'Time to extract one answer while an LLM is configured (rules, then the LLM, batching and rate limit included)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'avt_jobs_in_flight',
      help: 'Jobs running in this process',
      registers: [registry],
    }),
  };
  // Every status exported from the start, at 0: a rate over a series that does not exist yet is no data, not 0
  // (the dashboard's failure rate before the first failure).
  for (const status of ['done', 'failed', 'dead']) metrics.promptsProcessed.inc({ status }, 0);
  for (const status of ['ok', 'fallback']) metrics.llmExtractions.inc({ status }, 0);
  return metrics;
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
