import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'avt_session';

/** Routes anyone may reach: the probes, the login form and the static libraries the login page needs. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/login']);
const OPEN_PREFIXES = ['/static/'];

/** The session cookie's value: derived from the token, so every replica accepts it and none stores it. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('avt-session-v1').digest('base64url');
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** Whether the request proves it knows the token: a Bearer header, or the session cookie. */
export function authenticated(request: FastifyRequest, token: string): 'bearer' | 'cookie' | undefined {
  const given = bearer(request);
  if (given !== undefined && same(given, token)) return 'bearer';
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie && same(cookie, sessionValue(token))) return 'cookie';
  return undefined;
}

/** A POST from a page of another site must not act with this site's cookie. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

const isPage = (request: FastifyRequest) => !request.url.startsWith('/api/') && request.url !== '/metrics';

/**
 * AVT_API_TOKEN: every route but the open ones needs it, as `Authorization: Bearer` (the API, /metrics) or
 * through the login form's session cookie (the dashboard). Actions (any method but GET and HEAD) made with
 * the cookie must come from this site (Origin); with the token in a header no browser sends them on its own.
 * Without a token (loopback only, enforced by `avt serve`), actions still need this site's Origin when a
 * browser sends one.
 */
export function registerAuth(app: FastifyInstance, token: string | undefined): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const open = OPEN_PATHS.has(path) || OPEN_PREFIXES.some((prefix) => path.startsWith(prefix));
    const acting = request.method !== 'GET' && request.method !== 'HEAD';
    if (!token) {
      if (acting && request.headers.origin && !sameOrigin(request)) {
        throw new ApiError('this action must come from this site (the Origin header names another)', 403);
      }
      return;
    }
    if (open) return;
    const how = authenticated(request, token);
    if (!how) {
      if (isPage(request) && request.method === 'GET') {
        return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
      }
      throw new ApiError(
        'authentication required: send Authorization: Bearer <AVT_API_TOKEN>, or sign in at /login',
        401,
      );
    }
    if (acting && how === 'cookie' && !sameOrigin(request)) {
      throw new ApiError('this action must come from this site (Origin missing or another site)', 403);
    }
  });
}
