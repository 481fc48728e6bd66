import type { FastifyInstance } from 'fastify';
import { createDb } from '../db/kysely.ts';
import { listWorkers } from '../db/workers.ts';
import { probeLlmApi } from '../extract/probeLlmApi.ts';
import { listQueueHealth } from '../operations/queueHealth.ts';
import type { ServeContext } from './context.ts';

type CheckResult = { ok: boolean; detail: string };

/** How long an LLM API answer is trusted before it is asked again. */
const LLM_CHECK_EVERY_MS = 30_000;

/**
 * /healthz: the process answers. /readyz: each dependency, as JSON; 200 when all pass, 503 otherwise
 * (`?checks=` names the ones to run).
 */
export function registerHealth(app: FastifyInstance, context: ServeContext): void {
  let llmChecked: { at: number; result: CheckResult } | undefined;

  const database = async (pool: ServeContext['readPool']): Promise<CheckResult> => {
    try {
      await pool.query('SELECT 1');
      return { ok: true, detail: 'answering' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  };

  const llmApi = async (): Promise<CheckResult> => {
    const llm = context.llm;
    if (!llm) return { ok: true, detail: 'not configured (rules only)' };
    if (llmChecked && Date.now() - llmChecked.at < LLM_CHECK_EVERY_MS) return llmChecked.result;
    const result = await probeLlmApi(llm.baseUrl, llm.apiKey);
    llmChecked = { at: Date.now(), result };
    return result;
  };

  const db = createDb(context.readPool);
  const workers = async (): Promise<CheckResult> => {
    try {
      const [queue, seen] = await Promise.all([listQueueHealth(db), listWorkers(db)]);
      const live = new Set(
        seen.filter((worker) => worker.state === 'live').map((worker) => worker.ai_source),
      );
      const missing = queue
        .filter((row) => row.enabled && !live.has(row.ai_source))
        .map((row) => row.ai_source);
      return missing.length === 0
        ? { ok: true, detail: 'every enabled source has a live worker' }
        : { ok: false, detail: `no live worker for ${missing.join(', ')}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  };

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  const checks = {
    database: () => database(context.writePool),
    read_database: async () =>
      context.readPool === context.writePool
        ? { ...(await database(context.writePool)), detail: 'the same as database (no READ_DATABASE_URL)' }
        : database(context.readPool),
    llm_api: llmApi,
    workers,
  };
  type CheckName = keyof typeof checks;
  const names = Object.keys(checks) as CheckName[];

  // ?checks=database,read_database: only those decide, for a load balancer's readiness probe, which should
  // not take every replica out of service because a source has no worker (KEDA may have scaled it to zero).
  app.get<{ Querystring: { checks?: string } }>(
    '/readyz',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          properties: {
            checks: { type: 'string', pattern: `^(${names.join('|')})(,(${names.join('|')}))*$` },
          },
        },
      },
    },
    async (request, reply) => {
      const asked = request.query.checks ? (request.query.checks.split(',') as CheckName[]) : names;
      const results = await Promise.all(asked.map((name) => checks[name]()));
      const body = Object.fromEntries(asked.map((name, index) => [name, results[index]]));
      const ok = results.every((check) => check.ok);
      reply.header('cache-control', 'no-store');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'failing', checks: body });
    },
  );
}
