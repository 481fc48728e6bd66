import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServeContext } from './context.ts';

/**
 * /metrics: the gauges of the whole system that belong to no single worker, read from the database at
 * scrape time (exported by `avt serve`, once however many workers run), and this server's own requests.
 */
export function registerMetrics(app: FastifyInstance, context: ServeContext): Registry {
  const registry = new Registry();
  const queueSize = new Gauge({
    name: 'queue_size',
    help: 'Runs per source and status (queued counts only those eligible now; delayed waits for a retry)',
    labelNames: ['ai_source', 'status'],
    registers: [registry],
  });
  const activeWorkers = new Gauge({
    name: 'active_workers',
    help: 'Worker processes per source that reported within the last 60 s',
    labelNames: ['ai_source'],
    registers: [registry],
  });
  const deadRuns = new Gauge({
    name: 'avt_dead_runs',
    help: 'Runs that failed for good, per source',
    labelNames: ['ai_source'],
    registers: [registry],
  });
  const oldestEligible = new Gauge({
    name: 'avt_oldest_eligible_run_seconds',
    help: 'Age of the oldest run waiting to be claimed, per source (0 when none waits)',
    labelNames: ['ai_source'],
    registers: [registry],
  });
  const { counts } = context.results;
  new Counter({
    name: 'avt_serve_cache_lookups_total',
    help: 'Figure and evidence requests by how they were answered: hit (cache), miss (read), not_modified (304, no read)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const result of ['hit', 'miss', 'not_modified'] as const) this.inc({ result }, counts[result]);
    },
  });
  new Counter({
    name: 'avt_serve_results_version_reads_total',
    help: 'Reads of results_version(): one after each change of the results (NOTIFY avt_results)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counts.version_read);
    },
  });
  const requests = new Histogram({
    name: 'avt_http_request_duration_seconds',
    help: 'avt serve requests, by method, route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const collect = async () => {
    const { rows } = await context.readPool.query<{
      ai_source: string;
      eligible: string;
      delayed: string;
      running: string;
      done: string;
      dead: string;
      cancelled: string;
      oldest: number | null;
      live: string;
    }>(
      `SELECT q.ai_source, q.eligible, q.delayed, q.running, q.done, q.dead, q.cancelled,
              extract(epoch FROM q.oldest_eligible_age)::float8 AS oldest,
              (SELECT count(*) FROM workers w
               WHERE w.ai_source = q.ai_source AND w.stopped_at IS NULL
                 AND w.last_seen_at > now() - interval '60 seconds') AS live
       FROM queue_health q`,
    );
    queueSize.reset();
    activeWorkers.reset();
    deadRuns.reset();
    oldestEligible.reset();
    for (const row of rows) {
      const source = row.ai_source;
      queueSize.set({ ai_source: source, status: 'queued' }, Number(row.eligible));
      queueSize.set({ ai_source: source, status: 'delayed' }, Number(row.delayed));
      queueSize.set({ ai_source: source, status: 'running' }, Number(row.running));
      queueSize.set({ ai_source: source, status: 'done' }, Number(row.done));
      queueSize.set({ ai_source: source, status: 'dead' }, Number(row.dead));
      queueSize.set({ ai_source: source, status: 'cancelled' }, Number(row.cancelled));
      activeWorkers.set({ ai_source: source }, Number(row.live));
      deadRuns.set({ ai_source: source }, Number(row.dead));
      oldestEligible.set({ ai_source: source }, row.oldest ?? 0);
    }
  };

  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    await collect();
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
  return registry;
}
