import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.ts';
import { registerAnswersPage } from './answers.ts';
import { registerCitationsPage } from './citations.ts';
import { registerOperationsPage } from './operations.ts';
import { registerOverviewPage } from './overview.ts';

/** The dashboard: server-rendered pages over the same reads as the API, each with one small script. */
export function registerPages(app: FastifyInstance, context: ServeContext): void {
  registerOverviewPage(app, context);
  registerCitationsPage(app, context);
  registerAnswersPage(app, context);
  registerOperationsPage(app, context);
}
