import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The worker's Prometheus metrics, on a registry of its own. */
export function createWorkerMetrics(labels: { ai_source: string; worker_id: string }) {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  return {
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
    inFlight: new Gauge({
      name: 'avt_jobs_in_flight',
      help: 'Jobs running in this process',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
