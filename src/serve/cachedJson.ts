import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { ServeContext } from './context.ts';
import { ResultsCache } from './resultsCache.ts';

/**
 * Answers a GET whose body depends only on the results (figures, evidence) and on what was asked (`key`,
 * e.g. the route and its normalized query): a matching If-None-Match gets 304 with no query beyond the
 * version (none at all while the version is known); otherwise the value comes from the replica's cache or
 * from `read`, with an ETag clients revalidate with (Cache-Control: no-cache).
 */
export async function sendCachedJson<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ServeContext,
  key: string,
  read: (client: pg.PoolClient) => Promise<T>,
): Promise<FastifyReply> {
  reply.header('cache-control', 'private, no-cache');
  reply.header('vary', 'Accept-Encoding, Authorization, Cookie');
  const asked = request.headers['if-none-match'];
  if (asked) {
    const etag = ResultsCache.etag(await context.results.version(), key);
    if (asked.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      context.results.counts.not_modified += 1;
      return reply.code(304).header('etag', etag).send();
    }
  }
  const { version, value } = await context.results.read(key, read);
  return reply.header('etag', ResultsCache.etag(version, key)).send(value);
}
