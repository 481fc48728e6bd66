import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, sessionValue } from './auth.ts';
import type { ServeContext } from './context.ts';
import { templates } from './templates.ts';

/** A `next` that stays on this site: a path, never `//other.host` or a scheme. */
function localPath(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : '/';
}

export function renderPage(title: string, active: string | false, body: string): string {
  return templates.render('layout', { title, active, nav: active !== false, body });
}

/** The dashboard's sign-in with AVT_API_TOKEN: a form that sets the session cookie (HttpOnly, SameSite=Strict). */
export function registerLogin(app: FastifyInstance, context: ServeContext): void {
  app.get('/login', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as { next?: string; failed?: string };
    const body = templates.render('login', { next: localPath(query.next), failed: query.failed === '1' });
    return reply.type('text/html; charset=utf-8').send(renderPage('Sign in', false, body));
  });

  app.post('/login', { schema: { hide: true } }, async (request, reply) => {
    const form = (request.body ?? {}) as { token?: string; next?: string };
    const next = localPath(form.next);
    if (!context.token) return reply.redirect(next, 303);
    if (typeof form.token !== 'string' || sessionValue(form.token) !== sessionValue(context.token)) {
      return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`, 303);
    }
    reply.setCookie(SESSION_COOKIE, sessionValue(context.token), {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
    return reply.redirect(next, 303);
  });

  app.post('/logout', { schema: { hide: true } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
