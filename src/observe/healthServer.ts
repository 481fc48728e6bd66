import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus), `/healthz` (the process is alive) and `/readyz` (it is claiming work) on
 * `port` (0 picks a free one).
 */
export async function startHealthServer(port: number, registry: Registry, ready: () => boolean) {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(body);
        },
        (error: Error) => {
          response.writeHead(500);
          response.end(error.message);
        },
      );
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const isReady = ready();
      response.writeHead(isReady ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(isReady ? 'ready\n' : 'not ready\n');
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const health: HealthServer = {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return health;
}
