import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.ts';
import { filtersKey } from '../filters.ts';
import { templates } from '../templates.ts';
import { citationsJson, readCitations } from './citationsData.ts';
import { readCatalog, renderFilterForm } from './filterForm.ts';
import { readPageFilters } from './pageFilters.ts';
import { readForPage } from './readForPage.ts';
import { sendPage } from './sendPage.ts';

/** `/citations`: the most cited domains (yours highlighted) and the citations of each brand's domains. */
export function registerCitationsPage(app: FastifyInstance, context: ServeContext): void {
  app.get('/citations', { schema: { hide: true } }, async (request, reply) => {
    const parsed = readPageFilters(request.query as Record<string, unknown>);
    const form = renderFilterForm(await readCatalog(context), parsed.values, { action: '/citations' });
    if (!parsed.ok) {
      const body = templates.render('citations', { form, error: parsed.error });
      return sendPage(reply, { title: 'Citations', active: 'citations', body }, 400);
    }
    const { filters } = parsed;
    const read = await readForPage(context, `citations?${filtersKey(filters)}`, (client) =>
      readCitations(client, filters),
    );
    if (!read.ok) {
      const body = templates.render('citations', { form, error: read.error });
      return sendPage(reply, { title: 'Citations', active: 'citations', body }, 400);
    }
    const { value } = read;
    const body = templates.render('citations', {
      form,
      error: null,
      filters,
      domains: value.domains,
      brands: value.brands,
      json: citationsJson(value),
    });
    return sendPage(reply, { title: 'Citations', active: 'citations', body });
  });
}
