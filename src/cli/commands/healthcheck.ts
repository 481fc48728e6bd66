import { type Command, Option } from 'commander';
import { UsageError } from '../../usageError.ts';

const MOCK_PORT = 4010;
const SERVE_PORT = 8080;
const TIMEOUT_MS = 3_000;

/**
 * The endpoints a container of the image may serve: `avt serve`, a worker's metrics server, `avt mock`.
 * The image's HEALTHCHECK runs for every role, so it asks each; the one the container runs answers.
 */
export function localHealthUrls(env: NodeJS.ProcessEnv = process.env): string[] {
  const ports = [env.SERVE_PORT ?? String(SERVE_PORT), env.METRICS_PORT, String(MOCK_PORT)];
  return [...new Set(ports.filter((port) => port !== undefined && port !== '' && port !== '0'))].map(
    (port) => `http://127.0.0.1:${port}/healthz`,
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export function registerHealthcheck(program: Command): void {
  program
    .command('healthcheck')
    .description(
      "Exit 0 when this machine's tracker process answers GET /healthz, 1 otherwise: the image's HEALTHCHECK.\n" +
        'Without --url it asks, on 127.0.0.1, avt serve (SERVE_PORT, 8080), a worker (METRICS_PORT) and\n' +
        `avt mock (${MOCK_PORT}); any one answering is enough.`,
    )
    .addOption(new Option('--url <url>', 'ask only this URL').env('HEALTHCHECK_URL'))
    .action(async (options: { url?: string }) => {
      const urls = options.url ? [options.url] : localHealthUrls();
      if (options.url && !URL.canParse(options.url)) throw new UsageError(`--url: not a URL: ${options.url}`);
      const results = await Promise.all(urls.map(answers));
      const healthy = urls.filter((_, index) => results[index]);
      if (healthy.length > 0) {
        console.log(`healthy: ${healthy.join(', ')}`);
        return;
      }
      console.error(`unhealthy: no answer from ${urls.join(', ')}`);
      process.exitCode = 1;
    });
}
