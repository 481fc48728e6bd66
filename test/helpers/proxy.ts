import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestProxy {
  url: string;
  /** Absolute URLs the proxy forwarded. */
  forwarded: string[];
  close(): Promise<void>;
}

/**
 * A small forward HTTP proxy for tests: takes absolute-URI requests, sends every one to `target`
 * (a loopback host:port, whatever host the browser asked for), and adds a Via header.
 */
export async function startTestProxy(target: { host: string; port: number }): Promise<TestProxy> {
  const forwarded: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://unknown');
    forwarded.push(incoming.url ?? '');
    const upstream = request(
      {
        host: target.host,
        port: target.port,
        method: incoming.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...incoming.headers, via: '1.1 avt-test-proxy' },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
