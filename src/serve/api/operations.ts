import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { createDb, type Db } from '../../db/kysely.ts';
import { listWorkers } from '../../db/workers.ts';
import { listDeadRuns, MAX_DEAD_RUNS_PAGE } from '../../operations/deadRuns.ts';
import { enqueuePrompts } from '../../operations/enqueuePrompts.ts';
import { ArtifactNotFoundError, InvalidInputError, UnknownSourceError } from '../../operations/errors.ts';
import { importBrands } from '../../operations/importBrands.ts';
import type { RowsFormat } from '../../operations/parseRows.ts';
import { pauseSource, resumeSource } from '../../operations/pauseSource.ts';
import { listQueueHealth } from '../../operations/queueHealth.ts';
import { MAX_RUN_IDS, retryDeadRuns } from '../../operations/retryDeadRuns.ts';
import { findRunArtifact } from '../../operations/runArtifacts.ts';
import type { ServeContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { nullable } from './schemas.ts';

const ACCEPTED_UPLOADS =
  'a JSON array (Content-Type: application/json) or CSV whose first line names the columns (Content-Type: text/csv)';
/** Uploads carry many rows: more than the 1 MiB other bodies get. */
const UPLOAD_BODY_LIMIT = 16 * 1024 * 1024;

/** How a saved artifact is sent: captured HTML only ever as a text download, never rendered here. */
const ARTIFACT_TYPES: Record<string, { type: string; inline: boolean }> = {
  '.png': { type: 'image/png', inline: true },
  '.txt': { type: 'text/plain; charset=utf-8', inline: true },
  '.html': { type: 'text/plain; charset=utf-8', inline: false },
  '.zip': { type: 'application/zip', inline: false },
};

/** An operation's refusal as the API's answer: 400 (what to change), 404 for what is not there. */
function asApiError(error: unknown, unknownSourceStatus = 400): unknown {
  if (error instanceof InvalidInputError) return new ApiError(error.message);
  if (error instanceof UnknownSourceError) return new ApiError(error.message, unknownSourceStatus);
  if (error instanceof ArtifactNotFoundError) return new ApiError(error.message, 404);
  return error;
}

/** A failed schema check, naming the field: `body.until must be string`, `body has no field 'x'`. */
function schemaError(errors: FastifySchemaValidationError[], where: string): ApiError {
  const first = errors[0];
  const path = `${where}${(first?.instancePath ?? '').replaceAll('/', '.')}`;
  const params = (first?.params ?? {}) as Record<string, unknown>;
  if (first?.keyword === 'additionalProperties') {
    return new ApiError(`${path} has no field '${String(params.additionalProperty)}'`);
  }
  if (first?.keyword === 'enum') {
    return new ApiError(`${path} must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
  }
  return new ApiError(`${path} ${first?.message ?? 'is not valid'}`);
}

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const object = (properties: Record<string, object>, rest: object = {}) => ({
  type: 'object',
  properties,
  ...rest,
});
const rowsOf = (properties: Record<string, object>) =>
  object({ rows: { type: 'array', items: object(properties) } });
const doc = (summary: string) => ({ tags: ['operations'], summary });

const PAUSED_UNTIL = nullable('string', "ISO 8601; 'infinity' = until resumed; null = not paused");
const sourceParams = object(
  { name: { ...str, description: 'the source, e.g. chatgpt' } },
  { required: ['name'] },
);
const sourcePause = object({ ai_source: str, paused_until: PAUSED_UNTIL });
const rowErrors = {
  type: 'array',
  description: 'the rows left out (CSV: line number, the header being 1; JSON: index from 1), and why',
  items: object({ row: int, message: str }),
};
const COUNTS = ['eligible', 'delayed', 'running', 'expired_leases', 'done', 'dead', 'cancelled'];

function uploadBody(json: object, csvColumns: string) {
  return {
    content: {
      'application/json': { schema: { type: 'array', items: json } },
      'text/csv': { schema: { ...str, description: `header line: ${csvColumns}` } },
    },
  };
}

/** The format of an upload, from its Content-Type. */
function uploadOf(request: FastifyRequest): { text: string; format: RowsFormat } {
  const format =
    (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'text/csv'
      ? 'csv'
      : 'json';
  const text = typeof request.body === 'string' ? request.body : '';
  if (text.trim() === '') throw new ApiError(`the body is empty: send ${ACCEPTED_UPLOADS}`);
  return { text, format };
}

function registerReads(app: FastifyInstance, db: Db): void {
  app.get(
    '/api/queue',
    {
      schema: {
        ...doc('The queue per source (the queue_health view)'),
        response: {
          200: rowsOf({
            ai_source: str,
            enabled: { type: 'boolean' },
            paused_until: PAUSED_UNTIL,
            pause_reason: nullable('string'),
            max_concurrency: nullable('integer'),
            ...Object.fromEntries(COUNTS.map((count) => [count, int])),
            oldest_eligible_age: nullable('number', 'seconds the oldest eligible run has waited'),
          }),
        },
      },
    },
    async () => ({ rows: await listQueueHealth(db) }),
  );

  const time = { ...str, format: 'date-time' };
  app.get(
    '/api/workers',
    {
      schema: {
        ...doc('Worker processes seen in the last day: live, stopped, or vanished (stopped reporting)'),
        response: {
          200: rowsOf({
            worker_id: int,
            ai_source: str,
            host: str,
            pid: int,
            version: str,
            started_at: time,
            last_seen_at: time,
            state: { ...str, enum: ['live', 'stopped', 'vanished'] },
          }),
        },
      },
    },
    async () => ({ rows: await listWorkers(db) }),
  );

  app.get(
    '/api/runs/dead',
    {
      schema: {
        ...doc('Dead runs, most recently dead first, with their last error and failure artifacts'),
        querystring: object({
          ai_source: { ...str, maxLength: 64 },
          limit: { ...int, minimum: 1, maximum: MAX_DEAD_RUNS_PAGE, default: 50 },
          cursor: { ...str, maxLength: 200, description: 'next_cursor of the previous page' },
        }),
        response: {
          200: object({
            ...rowsOf({
              id: int,
              prompt_id: str,
              prompt: str,
              ai_source: str,
              attempts: int,
              last_error: nullable('string'),
              finished_at: nullable('string'),
              artifacts: { type: 'array', items: object({ attempt: int, file: str, url: str }) },
            }).properties,
            next_cursor: nullable('string'),
          }),
        },
      },
    },
    async (request) => {
      const query = request.query as { ai_source?: string; limit: number; cursor?: string };
      const page = await listDeadRuns(db, {
        aiSource: query.ai_source,
        limit: query.limit,
        cursor: query.cursor,
      });
      const rows = page.rows.map((run) => ({
        ...run,
        artifacts: run.artifacts.map((artifact) => ({
          ...artifact,
          url: `/api/runs/${run.id}/artifacts/${artifact.attempt}/${encodeURIComponent(artifact.file)}`,
        })),
      }));
      return { rows, next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/api/runs/:id/artifacts/:attempt/:file',
    {
      schema: {
        ...doc('A file a failed attempt saved: screenshot.png, page.html (as a text download), trace.zip'),
        params: object(
          {
            id: { ...int, minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            attempt: { ...int, minimum: 1, maximum: 1000 },
            file: { ...str, maxLength: 200 },
          },
          { required: ['id', 'attempt', 'file'] },
        ),
      },
    },
    async (request, reply) => {
      const { id, attempt, file } = request.params as { id: number; attempt: number; file: string };
      const artifact = await findRunArtifact(db, id, attempt, file);
      const how = ARTIFACT_TYPES[extname(file).toLowerCase()] ?? {
        type: 'application/octet-stream',
        inline: false,
      };
      return reply
        .type(how.type)
        .header('content-length', artifact.size)
        .header(
          'content-disposition',
          `${how.inline ? 'inline' : 'attachment'}; filename="run-${id}-attempt-${attempt}-${file}"`,
        )
        .send(createReadStream(artifact.path));
    },
  );
}

/** An unknown source named in the path is a resource that is not there: 404. */
async function onSource<T>(act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (error) {
    throw asApiError(error, 404);
  }
}

function registerActions(app: FastifyInstance, db: Db): void {
  app.post(
    '/api/runs/dead/retry',
    {
      schema: {
        ...doc(
          'Queue dead runs again with a full set of attempts, due now; filters combine, none = every dead run',
        ),
        body: object(
          {
            ai_source: { ...str, maxLength: 64 },
            since: { ...str, maxLength: 64, description: 'ISO 8601: runs dead at or after it' },
            run_ids: { type: 'array', items: { ...int, minimum: 1 }, maxItems: MAX_RUN_IDS },
          },
          { additionalProperties: false },
        ),
        response: { 200: object({ retried: int }) },
      },
    },
    async (request) => {
      const body = request.body as { ai_source?: string; since?: string; run_ids?: number[] };
      const retried = await retryDeadRuns(db, {
        aiSource: body.ai_source,
        since: body.since,
        runIds: body.run_ids,
      });
      const filter = { ai_source: body.ai_source, since: body.since, run_ids: body.run_ids?.length };
      request.log.info({ event: 'runs:retried', retried, ...filter }, 'dead runs queued again');
      return { retried };
    },
  );

  app.post(
    '/api/sources/:name/pause',
    {
      schema: {
        ...doc('Stop claims of a source until a time, or until resumed'),
        params: sourceParams,
        body: object(
          {
            until: { ...str, maxLength: 64, description: 'ISO 8601 in the future; left out: until resumed' },
            reason: { ...str, maxLength: 500 },
          },
          { additionalProperties: false },
        ),
        response: { 200: sourcePause },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const body = request.body as { until?: string; reason?: string };
      const paused = await onSource(() => pauseSource(db, name, body));
      request.log.info({ event: 'source:paused', ...paused, reason: body.reason }, 'source paused');
      return paused;
    },
  );

  app.post(
    '/api/sources/:name/resume',
    {
      schema: {
        ...doc('Let the workers of a paused source claim again'),
        params: sourceParams,
        body: object({}, { additionalProperties: false }),
        response: { 200: sourcePause },
      },
    },
    async (request) => {
      const { name } = request.params as { name: string };
      const resumed = await onSource(() => resumeSource(db, name));
      request.log.info({ event: 'source:resumed', ai_source: name }, 'source resumed');
      return resumed;
    },
  );
}

/** The uploads are read as text and checked row by row, so that one bad row does not refuse the others. */
async function registerUploads(app: FastifyInstance, db: Db): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/csv'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('*', (request, _payload, done) =>
    done(
      new ApiError(
        `Content-Type ${request.headers['content-type'] ?? '(none)'} is not accepted: send ${ACCEPTED_UPLOADS}`,
      ),
    ),
  );
  // The body schemas document the rows; the rows are checked by the operations.
  const documentOnly = () => () => true;

  app.post(
    '/api/prompts',
    {
      bodyLimit: UPLOAD_BODY_LIMIT,
      validatorCompiler: documentOnly,
      schema: {
        ...doc('Enqueue prompts: each fans out into one queued run per enabled source'),
        description:
          'The good rows are added in one transaction (named categories are created); each bad row is reported ' +
          'with its number and reason.',
        querystring: object({ category: { ...str, description: 'the category of rows that name none' } }),
        body: uploadBody(
          {
            anyOf: [
              { ...str, description: 'the prompt text' },
              object(
                {
                  text: { ...str, maxLength: 8000 },
                  category: str,
                  priority: { ...int, description: 'higher is claimed first (default 0)' },
                  active: { type: 'boolean', description: 'default true' },
                },
                { required: ['text'] },
              ),
            ],
          },
          'text[,category][,priority][,active]',
        ),
        response: { 200: object({ added: int, errors: rowErrors }) },
      },
    },
    async (request) => {
      const { category } = request.query as { category?: unknown };
      if (category !== undefined && typeof category !== 'string') {
        throw new ApiError('category must be given once');
      }
      const result = await enqueuePrompts(db, uploadOf(request), { defaultCategory: category });
      request.log.info(
        { event: 'prompts:enqueued', added: result.added, refused: result.errors.length },
        'prompts enqueued',
      );
      return result;
    },
  );

  app.post(
    '/api/brands/import',
    {
      bodyLimit: UPLOAD_BODY_LIMIT,
      validatorCompiler: documentOnly,
      schema: {
        ...doc('Add or update tracked brands by name; a field left out keeps its stored value'),
        body: uploadBody(
          object(
            {
              name: str,
              aliases: { type: 'array', items: str },
              domains: { type: 'array', items: str, description: 'bare domains: example.com' },
              is_own: { type: 'boolean', description: 'your brand (true) or a competitor' },
            },
            { required: ['name'] },
          ),
          'name[,aliases][,domains][,is_own], with ; between aliases and between domains',
        ),
        response: { 200: object({ upserted: int, errors: rowErrors }) },
      },
    },
    async (request) => {
      const result = await importBrands(db, uploadOf(request));
      request.log.info(
        { event: 'brands:imported', upserted: result.upserted, refused: result.errors.length },
        'brands imported',
      );
      return result;
    },
  );
}

/**
 * The queue, the workers and the dead runs (read on the read pool), and the actions on them (on the
 * primary): retry dead runs, pause and resume a source, enqueue prompts, import brands. Live data: never
 * cached (Cache-Control: no-store), not through the results cache.
 */
export function registerOperationsRoutes(app: FastifyInstance, context: ServeContext): void {
  const readDb = createDb(context.readPool);
  const writeDb = createDb(context.writePool);
  app.register(async (scope) => {
    scope.setSchemaErrorFormatter(schemaError);
    scope.setErrorHandler((error) => {
      throw asApiError(error);
    });
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    // An action without a body acts with its defaults.
    scope.addHook('preValidation', async (request) => {
      if (request.method === 'POST' && request.body === undefined) request.body = {};
    });
    registerReads(scope, readDb);
    registerActions(scope, writeDb);
    await scope.register(async (uploads) => registerUploads(uploads, writeDb));
  });
}
