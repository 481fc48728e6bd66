import type { FastifyInstance } from 'fastify';
import { sendCachedJson } from '../cachedJson.ts';
import type { ServeContext } from '../context.ts';
import { FILTER_QUERY_SCHEMA, filtersJson, filtersKey, parseFilters } from '../filters.ts';
import { findAnswers, MAX_ANSWERS_PER_PAGE } from '../queries/evidence.ts';
import { ERROR_SCHEMA, FILTERS_JSON_SCHEMA, NOT_MODIFIED_SCHEMA, nullable } from './schemas.ts';

const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    captured_at: { type: 'string', format: 'date-time' },
    ai_source: { type: 'string' },
    capture_mode: { type: 'string' },
    prompt: nullable('string'),
    category: nullable('string'),
    answer_text: { type: 'string' },
    extraction_method: { type: 'string', description: 'llm or rules' },
    mentions: {
      type: 'array',
      description: 'brands the answer names, by position',
      items: {
        type: 'object',
        properties: {
          brand_id: { ...nullable('integer'), description: 'null: a name that is not a tracked brand' },
          brand: { type: 'string' },
          position: { type: 'integer', description: '1 = named first' },
          mention_count: { type: 'integer' },
          snippet: nullable('string'),
          sentiment: nullable('string'),
          recommended: nullable('boolean'),
        },
      },
    },
    citations: {
      type: 'array',
      description: 'the links the answer cites, by position',
      items: {
        type: 'object',
        properties: {
          position: { type: 'integer' },
          url: { type: 'string' },
          domain: { type: 'string' },
          title: nullable('string'),
          brand: { ...nullable('string'), description: "the domain's tracked owner" },
        },
      },
    },
  },
} as const;

/** The answers behind the figures (GET /api/answers). */
export function registerEvidenceRoutes(app: FastifyInstance, context: ServeContext): void {
  app.get(
    '/api/answers',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The answers behind a figure, newest first, a page at a time',
        description:
          'The stored answers the filters select (brand: answers that mention that brand), each with its ' +
          'brand mentions and citations, ordered by captured_at then id, descending. Pass next_cursor as ' +
          'cursor for the next page; it is null on the last one.',
        querystring: {
          type: 'object',
          properties: {
            ...FILTER_QUERY_SCHEMA,
            q: {
              type: 'string',
              maxLength: 200,
              description: 'text the answer contains; case ignored, % and _ taken literally',
            },
            cursor: { type: 'string', maxLength: 200, description: 'next_cursor of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_ANSWERS_PER_PAGE, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            description: 'a page of answers, newest first',
            properties: {
              filters: FILTERS_JSON_SCHEMA,
              rows: { type: 'array', items: ANSWER_SCHEMA },
              next_cursor: { ...nullable('string'), description: 'the next page; null: this is the last' },
            },
          },
          304: NOT_MODIFIED_SCHEMA,
          400: ERROR_SCHEMA,
        },
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown> & { q?: string; cursor?: string; limit: number };
      const filters = parseFilters(query);
      const q = query.q || null;
      const cursor = query.cursor || null;
      const key = new URLSearchParams({ q: q ?? '', cursor: cursor ?? '', limit: String(query.limit) });
      return sendCachedJson(
        request,
        reply,
        context,
        `/api/answers?${filtersKey(filters)}&${key}`,
        async (client) => ({
          filters: filtersJson(filters),
          ...(await findAnswers(client, filters, { q, cursor, limit: query.limit })),
        }),
      );
    },
  );
}
