import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** Chart.js's UMD build (window.Chart), beside the package's main file: the package does not export its path. */
export const CHART_JS_PATH = join(dirname(require.resolve('chart.js')), 'chart.umd.js');

/**
 * The files pages load, served by this process (nothing comes from another host): the page scripts and
 * stylesheet under src/serve/public/, and the charting library from node_modules.
 */
const FILES: Record<string, { path: string; type: string }> = {
  'chart.umd.js': { path: CHART_JS_PATH, type: 'text/javascript' },
};

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css' };
const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

export function registerStatic(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get('/static/:file', { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const extension = file.slice(file.lastIndexOf('.'));
    const known =
      FILES[file] ??
      (/^[a-z0-9-]+\.(js|css)$/.test(file)
        ? { path: `${publicDir}${file}`, type: TYPES[extension] ?? '' }
        : undefined);
    if (!known) return reply.code(404).send({ error: `no static file ${file}` });
    let body = cache.get(file);
    if (!body) {
      try {
        body = await readFile(known.path);
      } catch {
        return reply.code(404).send({ error: `no static file ${file}` });
      }
      cache.set(file, body);
    }
    return reply
      .type(`${known.type}; charset=utf-8`)
      .header('cache-control', 'public, max-age=300')
      .send(body);
  });
}
