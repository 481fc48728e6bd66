import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { version } from '../version.ts';
import { registerEvidenceRoutes } from './api/evidence.ts';
import { registerFigureRoutes } from './api/figures.ts';
import { registerOperationsRoutes } from './api/operations.ts';
import { registerAuth } from './auth.ts';
import type { ServeContext } from './context.ts';
import { ApiError } from './errors.ts';
import { registerHealth } from './health.ts';
import { registerLogin } from './login.ts';
import { registerMetrics } from './metrics.ts';
import { registerPages } from './pages/index.ts';
import { registerStatic } from './static.ts';

/** No inline scripts or styles, nothing from another host: an answer that carries markup cannot run. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const VALIDATION_PLACES: Record<string, string> = {
  querystring: 'query parameter ',
  params: 'path parameter ',
  body: 'body field ',
  headers: 'header ',
};

/** One `avt serve` replica: the API, the dashboard, /metrics, /healthz and /readyz. Stateless. */
export async function buildServer(context: ServeContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyCompress, { threshold: 1024 });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'AI visibility tracker API',
        version,
        description:
          'Figures (mention rate with its Wilson interval, share of voice, position, sentiment), the answers ' +
          'behind them, and the queue. Authenticate with Authorization: Bearer <AVT_API_TOKEN> when the server ' +
          'has one. Errors are JSON: {"error": "what to change"}.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Text bodies (CSV uploads) arrive as strings.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.statusCode).send({ error: error.message });
    if ('validation' in error && error.validation) {
      // "querystring/limit must be >= 1" → "query parameter limit must be >= 1"
      const message = error.message.replace(
        /^(querystring|params|body|headers)\/?/,
        (where: string) => VALIDATION_PLACES[where.replace('/', '')] ?? where,
      );
      return reply.code(400).send({ error: message });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: error.message });
    request.log.error({ event: 'serve:error', err: error, url: request.url }, 'request failed');
    context.errors?.report(error, { step: `${request.method} ${request.routeOptions.url ?? request.url}` });
    return reply.code(500).send({ error: 'internal error; the server log has the details' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: `no route ${request.method} ${request.url.split('?')[0]}; see /api/openapi.json` }),
  );

  registerAuth(app, context.token);
  registerHealth(app, context);
  registerMetrics(app, context);
  registerLogin(app, context);
  registerStatic(app);
  registerFigureRoutes(app, context);
  registerEvidenceRoutes(app, context);
  registerOperationsRoutes(app, context);
  registerPages(app, context);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
