import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createDb } from '../db/kysely.ts';
import { listWorkers } from '../db/workers.ts';
import { isPausedNow, listQueueHealth } from '../operations/queueHealth.ts';
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
  const paused = new Gauge({
    name: 'avt_source_paused',
    help: '1 while a source is paused (by an operator, or by the workers after a rate limit or a captcha), else 0',
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

  const db = createDb(context.readPool);
  const collect = async () => {
    const [queue, workers] = await Promise.all([listQueueHealth(db), listWorkers(db)]);
    queueSize.reset();
    activeWorkers.reset();
    deadRuns.reset();
    oldestEligible.reset();
    paused.reset();
    for (const row of queue) {
      const source = row.ai_source;
      queueSize.set({ ai_source: source, status: 'queued' }, row.eligible);
      queueSize.set({ ai_source: source, status: 'delayed' }, row.delayed);
      queueSize.set({ ai_source: source, status: 'running' }, row.running);
      queueSize.set({ ai_source: source, status: 'done' }, row.done);
      queueSize.set({ ai_source: source, status: 'dead' }, row.dead);
      queueSize.set({ ai_source: source, status: 'cancelled' }, row.cancelled);
      const live = workers.filter((worker) => worker.ai_source === source && worker.state === 'live');
      activeWorkers.set({ ai_source: source }, live.length);
      deadRuns.set({ ai_source: source }, row.dead);
      oldestEligible.set({ ai_source: source }, row.oldest_eligible_age ?? 0);
      paused.set({ ai_source: source }, isPausedNow(row) ? 1 : 0);
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
