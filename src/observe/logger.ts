import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout; readable lines when stdout is a terminal. Paths that could carry secrets are
 * redacted wherever they appear in a log line.
 */
export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  base: Record<string, unknown> = {},
): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    level,
    base,
    redact: {
      paths: ['password', '*.password', 'apiKey', '*.apiKey', 'cookie', '*.cookie', 'headers.authorization'],
      censor: '***',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 1 } } } : {}),
  });
}
