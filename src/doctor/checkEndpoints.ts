import { request } from 'undici';
import type { Finding } from './finding.ts';

const CHECK = 'endpoint';

/**
 * A worker's metrics port or an avt serve URL: /readyz answers 200 when every dependency the process has is
 * fine, 503 with the failing ones otherwise.
 */
export async function checkEndpoint(url: string): Promise<Finding[]> {
  const readyz = new URL('/readyz', url).toString();
  try {
    const response = await request(readyz, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const body = await response.body.text();
    if (response.statusCode === 200) return [{ check: CHECK, status: 'ok', message: `${readyz}: ready` }];
    return [
      {
        check: CHECK,
        status: 'warn',
        message: `${readyz}: HTTP ${response.statusCode} ${failingChecks(body)}`.trim(),
        fix: "see the process's log; the failing checks above name what it waits for",
      },
    ];
  } catch (error) {
    return [
      {
        check: CHECK,
        status: 'fail',
        message: `${readyz}: no answer (${(error as Error).message})`,
        fix: 'check that the process runs and that its port is reachable from here',
      },
    ];
  }
}

/** The names and details of the failed checks in a /readyz body, where it has them. */
function failingChecks(body: string): string {
  try {
    const parsed = JSON.parse(body) as { checks?: Record<string, { ok?: boolean; detail?: string }> };
    return Object.entries(parsed.checks ?? {})
      .filter(([, check]) => check.ok === false)
      .map(([name, check]) => `${name}: ${check.detail ?? 'failing'}`)
      .join('; ');
  } catch {
    return body.slice(0, 200);
  }
}
