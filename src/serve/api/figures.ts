import type { FastifyInstance } from 'fastify';
import { sendCachedJson } from '../cachedJson.ts';
import type { ServeContext } from '../context.ts';
import { FILTER_QUERY_SCHEMA, type Filters, filtersJson, filtersKey, parseFilters } from '../filters.ts';
import { listBrands, listCategories, listSources } from '../queries/catalog.ts';
import {
  brandCitations,
  brandFigures,
  citedDomains,
  discoveredCompetitors,
  MAX_FIGURE_ROWS,
} from '../queries/figures.ts';
import { ERROR_SCHEMA, FILTERS_JSON_SCHEMA, NOT_MODIFIED_SCHEMA, nullable } from './schemas.ts';

const limitSchema = (fallback: number) =>
  ({
    type: 'integer',
    minimum: 1,
    maximum: MAX_FIGURE_ROWS,
    default: fallback,
    description: 'rows at most',
  }) as const;

const figuresResponse = (rowProperties: Record<string, unknown>, description: string) => ({
  200: {
    type: 'object',
    description,
    properties: {
      filters: FILTERS_JSON_SCHEMA,
      rows: { type: 'array', items: { type: 'object', properties: rowProperties } },
    },
  },
  304: NOT_MODIFIED_SCHEMA,
  400: ERROR_SCHEMA,
});

const listResponse = (rowProperties: Record<string, unknown>) => ({
  200: {
    type: 'object',
    properties: { rows: { type: 'array', items: { type: 'object', properties: rowProperties } } },
  },
  304: NOT_MODIFIED_SCHEMA,
});

const BRAND_FIGURE_PROPERTIES = {
  period: { type: 'string', description: "the period's first day, YYYY-MM-DD (weeks start on Monday)" },
  ai_source: { type: 'string' },
  capture_mode: { type: 'string' },
  brand_id: { type: 'integer' },
  brand: { type: 'string' },
  is_own: { type: 'boolean' },
  answers: { type: 'integer', description: 'n: answers in the group' },
  mentioned: { type: 'integer', description: 'k: answers in the group that mention the brand' },
  mention_rate: { ...nullable('number'), description: 'k / n' },
  ci_low: { ...nullable('number'), description: '95% Wilson score interval of mention_rate, low end' },
  ci_high: { ...nullable('number'), description: '95% Wilson score interval of mention_rate, high end' },
  share_of_voice: {
    ...nullable('number'),
    description: 'k / answers in the group that mention any tracked brand',
  },
  avg_position: { ...nullable('number'), description: 'mean position when mentioned (1 = named first)' },
  positive: { type: 'integer' },
  neutral: { type: 'integer' },
  negative: { type: 'integer' },
  recommended: { type: 'integer' },
};

const CITED_DOMAIN_PROPERTIES = {
  domain: { type: 'string' },
  brand_id: nullable('integer'),
  brand: nullable('string'),
  is_own: nullable('boolean'),
  citations: { type: 'integer', description: 'citation rows naming the domain' },
  answers_citing: { type: 'integer', description: 'answers citing the domain, each once' },
  share: { type: 'number', description: 'citations / all citations in the window' },
};

const BRAND_CITATION_PROPERTIES = {
  brand_id: { type: 'integer' },
  brand: { type: 'string' },
  is_own: { type: 'boolean' },
  citations: { type: 'integer' },
  answers_citing: { type: 'integer' },
};

const COMPETITOR_PROPERTIES = {
  name: { type: 'string', description: 'most frequent spelling; case is ignored' },
  answers: { type: 'integer', description: 'answers naming it, each once' },
  positive: { type: 'integer' },
  neutral: { type: 'integer' },
  negative: { type: 'integer' },
  first_seen: { type: 'string', format: 'date-time' },
  last_seen: { type: 'string', format: 'date-time' },
};

/** Citations are kept per day × source × mode: a category does not narrow them, and the echo says so. */
const withoutCategory = (filters: Filters): Filters => ({ ...filters, category: null });

/** The figures (GET /api/figures/...) and the lists their filters choose from (brands, sources, categories). */
export function registerFigureRoutes(app: FastifyInstance, context: ServeContext): void {
  app.get(
    '/api/figures/brands',
    {
      schema: {
        tags: ['figures'],
        summary: 'Mention rate with its 95% interval, share of voice, position and sentiment per brand',
        description:
          'One row per period (grain) × ai_source × capture_mode × tracked brand, for every group with ' +
          'answers in the window; a brand never mentioned in a group shows zeros. Counts are added up over ' +
          "the period's days and the categories asked for, then the rates are computed again from them. " +
          'Unknown ai_source, category or brand names are a 400 that lists the known ones.',
        querystring: { type: 'object', properties: FILTER_QUERY_SCHEMA },
        response: figuresResponse(
          BRAND_FIGURE_PROPERTIES,
          'the figures, ordered by period, source, mode, brand id',
        ),
      },
    },
    async (request, reply) => {
      const filters = parseFilters(request.query as Record<string, unknown>);
      return sendCachedJson(
        request,
        reply,
        context,
        `/api/figures/brands?${filtersKey(filters)}`,
        async (client) => ({ filters: filtersJson(filters), rows: await brandFigures(client, filters) }),
      );
    },
  );

  app.get(
    '/api/figures/citations/domains',
    {
      schema: {
        tags: ['figures'],
        summary: 'The most cited domains of the window',
        description:
          'Per cited domain: its citations, the answers citing it and its share of all citations in the ' +
          'window; brand narrows to that brand’s domains. Citations are counted per day × source × mode, so ' +
          'a category does not narrow them (filters.category comes back null).',
        querystring: {
          type: 'object',
          properties: { ...FILTER_QUERY_SCHEMA, limit: limitSchema(20) },
        },
        response: figuresResponse(CITED_DOMAIN_PROPERTIES, 'the domains, most cited first'),
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown> & { limit: number };
      const filters = withoutCategory(parseFilters(query));
      return sendCachedJson(
        request,
        reply,
        context,
        `/api/figures/citations/domains?${filtersKey(filters)}&limit=${query.limit}`,
        async (client) => ({
          filters: filtersJson(filters),
          rows: await citedDomains(client, filters, query.limit),
        }),
      );
    },
  );

  app.get(
    '/api/figures/citations/brands',
    {
      schema: {
        tags: ['figures'],
        summary: 'Citations of each tracked brand’s domains in the window',
        description:
          'Every tracked brand (or only brand) with the citations of its domains and the answers citing ' +
          'them. A category does not narrow them (filters.category comes back null).',
        querystring: { type: 'object', properties: FILTER_QUERY_SCHEMA },
        response: figuresResponse(BRAND_CITATION_PROPERTIES, 'the brands, most cited first'),
      },
    },
    async (request, reply) => {
      const filters = withoutCategory(parseFilters(request.query as Record<string, unknown>));
      return sendCachedJson(
        request,
        reply,
        context,
        `/api/figures/citations/brands?${filtersKey(filters)}`,
        async (client) => ({ filters: filtersJson(filters), rows: await brandCitations(client, filters) }),
      );
    },
  );

  app.get(
    '/api/figures/competitors',
    {
      schema: {
        tags: ['figures'],
        summary: 'Untracked brands the answers of the window named',
        description:
          'Names are grouped with case ignored; answers counts each answer once. brand narrows to answers ' +
          'that mention that tracked brand.',
        querystring: {
          type: 'object',
          properties: { ...FILTER_QUERY_SCHEMA, limit: limitSchema(50) },
        },
        response: figuresResponse(COMPETITOR_PROPERTIES, 'the names, most named first'),
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown> & { limit: number };
      const filters = parseFilters(query);
      return sendCachedJson(
        request,
        reply,
        context,
        `/api/figures/competitors?${filtersKey(filters)}&limit=${query.limit}`,
        async (client) => ({
          filters: filtersJson(filters),
          rows: await discoveredCompetitors(client, filters, query.limit),
        }),
      );
    },
  );

  app.get(
    '/api/brands',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The tracked brands',
        response: listResponse({
          id: { type: 'integer' },
          name: { type: 'string' },
          aliases: { type: 'array', items: { type: 'string' } },
          domains: { type: 'array', items: { type: 'string' } },
          is_own: { type: 'boolean' },
        }),
      },
    },
    async (request, reply) =>
      sendCachedJson(request, reply, context, '/api/brands', async (client) => ({
        rows: await listBrands(client),
      })),
  );

  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The prompt categories',
        response: listResponse({ id: { type: 'integer' }, name: { type: 'string' } }),
      },
    },
    async (request, reply) =>
      sendCachedJson(request, reply, context, '/api/categories', async (client) => ({
        rows: await listCategories(client),
      })),
  );

  app.get(
    '/api/sources',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The AI sources and whether each is enabled',
        description:
          'Read on every request: enabling or pausing a source does not change the results version the ' +
          'other responses are cached by.',
        response: {
          200: {
            type: 'object',
            properties: {
              rows: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { name: { type: 'string' }, enabled: { type: 'boolean' } },
                },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'private, no-cache');
      return { rows: await listSources(context.readPool) };
    },
  );
}
