import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.ts';
import { templates } from '../templates.ts';
import { readCatalog } from './filterForm.ts';
import { sendPage } from './sendPage.ts';

/**
 * `/operations`: the queue per source, the workers, the dead runs with their last error and screenshot, and
 * the actions on them. The page's script (public/operations.js) reads and acts through the operations API
 * (src/serve/api/operations.ts), the same routes a script of the operator's own would call.
 */
export function registerOperationsPage(app: FastifyInstance, context: ServeContext): void {
  app.get('/operations', { schema: { hide: true } }, async (request, reply) => {
    const { sources } = await readCatalog(context);
    const asked = (request.query as Record<string, unknown>).ai_source;
    const source = typeof asked === 'string' ? asked : '';
    if (source && !sources.includes(source)) {
      const error = `ai_source: unknown '${source}'; known: ${sources.join(', ')}`;
      const body = templates.render('operations', { sources, source: '', error });
      return sendPage(reply, { title: 'Operations', active: 'operations', body }, 400);
    }
    const body = templates.render('operations', { sources, source, error: null });
    return sendPage(reply, { title: 'Operations', active: 'operations', body });
  });
}
