import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { localHealthUrls } from '../../src/cli/commands/healthcheck.ts';
import { runBin } from '../helpers/cli.ts';

// A stand-in for a tracker process: /healthz answers with the status the test sets.
let status = 200;
let server: Server;
let port: number;

before(async () => {
  server = createServer((request, response) => {
    response.statusCode = request.url === '/healthz' ? status : 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('the image asks avt serve, the worker metrics port and the mock, each once', () => {
  assert.deepEqual(localHealthUrls({}), ['http://127.0.0.1:8080/healthz', 'http://127.0.0.1:4010/healthz']);
  assert.deepEqual(localHealthUrls({ SERVE_PORT: '9000', METRICS_PORT: '9464' }), [
    'http://127.0.0.1:9000/healthz',
    'http://127.0.0.1:9464/healthz',
    'http://127.0.0.1:4010/healthz',
  ]);
  assert.deepEqual(localHealthUrls({ METRICS_PORT: '8080' }), [
    'http://127.0.0.1:8080/healthz',
    'http://127.0.0.1:4010/healthz',
  ]);
});

test('healthy when the process answers 200, unhealthy otherwise', async () => {
  status = 200;
  const healthy = await runBin('avt', ['healthcheck', '--url', `http://127.0.0.1:${port}/healthz`]);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.match(healthy.stdout, /healthy/);

  status = 503;
  const failing = await runBin('avt', ['healthcheck'], {
    HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz`,
  });
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /unhealthy: no answer from/);
});

test('any one of the local endpoints answering is enough', async () => {
  status = 200;
  const result = await runBin('avt', ['healthcheck'], { SERVE_PORT: '1', METRICS_PORT: String(port) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`127\\.0\\.0\\.1:${port}/healthz`));
});

test('a --url that is not a URL is a usage error', async () => {
  const result = await runBin('avt', ['healthcheck', '--url', 'not a url']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /not a URL/);
});
