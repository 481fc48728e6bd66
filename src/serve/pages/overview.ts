import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { ServeContext } from '../context.ts';
import { type Filters, filtersKey } from '../filters.ts';
import { brandFigures, discoveredCompetitors } from '../queries/figures.ts';
import { jsonForScript, templates } from '../templates.ts';
import { readCatalog, renderFilterForm } from './filterForm.ts';
import { utcMinute } from './format.ts';
import { overviewData } from './overviewData.ts';
import { readPageFilters } from './pageFilters.ts';
import { readForPage } from './readForPage.ts';
import { sendPage } from './sendPage.ts';

/** How many untracked names the overview lists. */
const DISCOVERED_LIMIT = 20;

/** The overview's figures for `filters`: what the page and the report (src/serve/report.ts) show. */
export async function readOverview(db: Pick<pg.ClientBase, 'query'>, filters: Filters) {
  const [figures, discovered] = await Promise.all([
    brandFigures(db, filters),
    discoveredCompetitors(db, filters, DISCOVERED_LIMIT),
  ]);
  return {
    data: overviewData(figures),
    discovered: discovered.map((row) => ({
      ...row,
      first_seen: utcMinute(row.first_seen),
      last_seen: utcMinute(row.last_seen),
    })),
  };
}

export type Overview = Awaited<ReturnType<typeof readOverview>>;

/** The template data of the overview's figures (shared with the report). */
export const overviewFigures = (overview: Overview) => ({
  data: overview.data,
  discovered: overview.discovered,
  json: jsonForScript(overview.data.chart),
});

/** `/`: your brand against its competitors per source: mention rate with its interval, share of voice, position. */
export function registerOverviewPage(app: FastifyInstance, context: ServeContext): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const parsed = readPageFilters(request.query as Record<string, unknown>);
    const form = renderFilterForm(await readCatalog(context), parsed.values, { action: '/', grain: true });
    if (!parsed.ok) {
      const body = templates.render('overview', { form, error: parsed.error });
      return sendPage(reply, { title: 'Overview', active: 'overview', body }, 400);
    }
    const { filters } = parsed;
    const read = await readForPage(context, `overview?${filtersKey(filters)}`, (client) =>
      readOverview(client, filters),
    );
    if (!read.ok) {
      const body = templates.render('overview', { form, error: read.error });
      return sendPage(reply, { title: 'Overview', active: 'overview', body }, 400);
    }
    const figures = overviewFigures(read.value);
    const body = templates.render('overview', { form, error: null, filters, figures });
    return sendPage(reply, { title: 'Overview', active: 'overview', body });
  });
}
