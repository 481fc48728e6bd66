import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.ts';
import { filtersKey } from '../filters.ts';
import { type AnswerRow, findAnswers } from '../queries/evidence.ts';
import { templates } from '../templates.ts';
import { readCatalog, renderFilterForm } from './filterForm.ts';
import { utcMinute } from './format.ts';
import { readPageFilters } from './pageFilters.ts';
import { readForPage } from './readForPage.ts';
import { safeHref } from './safeHref.ts';
import { sendPage } from './sendPage.ts';

/** Answers per page; "older" pages on from the last one shown. */
const PAGE_SIZE = 20;
/** The longest search text and cursor a page takes. */
const MAX_PARAMETER = 200;

/** A text parameter of the page; a list or an over-long one is refused with a message naming it. */
function textParameter(name: string, value: unknown): string | { error: string } {
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string' || value.length > MAX_PARAMETER) {
    return { error: `${name} must be text of at most ${MAX_PARAMETER} characters` };
  }
  return value;
}

/** An answer as the page shows it: times in UTC, and each citation's link only when it is http(s). */
function answerView(row: AnswerRow) {
  return {
    ...row,
    captured_at: utcMinute(row.captured_at),
    citations: row.citations.map((citation) => ({ ...citation, href: safeHref(citation.url) })),
  };
}

/** `/answers`: the evidence behind the figures, searchable and paged from the newest. */
export function registerAnswersPage(app: FastifyInstance, context: ServeContext): void {
  app.get('/answers', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const parsed = readPageFilters(query);
    const form = renderFilterForm(await readCatalog(context), parsed.values, {
      action: '/answers',
      search: true,
    });
    const fail = (error: string) => {
      const body = templates.render('answers', { form, error });
      return sendPage(reply, { title: 'Answers', active: 'answers', body }, 400);
    };
    if (!parsed.ok) return fail(parsed.error);
    const { filters } = parsed;
    const q = textParameter('q', query.q);
    if (typeof q !== 'string') return fail(q.error);
    const cursor = textParameter('cursor', query.cursor);
    if (typeof cursor !== 'string') return fail(cursor.error);

    const key = `answers?${filtersKey(filters)}&${new URLSearchParams({ q, cursor })}`;
    const read = await readForPage(context, key, (client) =>
      findAnswers(client, filters, { q: q || null, cursor: cursor || null, limit: PAGE_SIZE }),
    );
    if (!read.ok) return fail(read.error);
    const page = read.value;

    const here = new URLSearchParams(filtersKey(filters));
    if (q) here.set('q', q);
    const older = page.next_cursor ? new URLSearchParams([...here, ['cursor', page.next_cursor]]) : null;
    const body = templates.render('answers', {
      form,
      error: null,
      q,
      answers: page.rows.map(answerView),
      newest: cursor ? `/answers?${here}` : null,
      older: older ? `/answers?${older}` : null,
    });
    return sendPage(reply, { title: 'Answers', active: 'answers', body });
  });
}
