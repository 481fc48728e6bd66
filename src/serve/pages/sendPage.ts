import type { FastifyReply } from 'fastify';
import { renderPage } from '../login.ts';

export interface Page {
  title: string;
  /** The navigation entry to mark as current. */
  active: string;
  body: string;
}

/** Sends a dashboard page in the layout; never cached by the browser or a proxy (it reads live results). */
export function sendPage(reply: FastifyReply, page: Page, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'private, no-cache')
    .send(renderPage(page.title, page.active, page.body));
}
