import pg from 'pg';
import type { Logger } from 'pino';

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

export interface ListenOptions {
  /** The NOTIFY channel. */
  channel: string;
  connectionString: string;
  applicationName?: string;
  /** Called with each notification's payload ('' when it has none). */
  onNotification: (payload: string) => void;
  /** Called after a lost LISTEN connection is back: notifications may have been missed meanwhile. */
  onReconnected?: () => void;
  logger?: Logger;
  /** Reconnect delays grow from this to `maxRetryMs`. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

export interface Listener {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Holds one dedicated session that LISTENs on a channel, re-established (with backoff) whenever it is
 * killed or the server restarts. Behind PgBouncer in transaction mode, point this at a direct URL.
 */
export function listen(options: ListenOptions): Listener {
  const minRetry = options.minRetryMs ?? 100;
  const maxRetry = options.maxRetryMs ?? 5_000;
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let delay = minRetry;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect(true);
    }, delay);
    delay = Math.min(delay * 2, maxRetry);
  };

  const connect = async (reconnecting: boolean) => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? `avt-listen ${options.channel}`,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = null;
      next.removeAllListeners('notification');
      void next.end().catch(() => {});
      if (closed) return;
      options.logger?.warn({ event: 'listen:lost', err: error }, 'LISTEN connection lost; reconnecting');
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? '');
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${quoteIdentifier(options.channel)}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    delay = minRetry;
    markReady();
    if (reconnecting) {
      options.logger?.info({ event: 'listen:reconnected' }, 'LISTEN connection re-established');
      options.onReconnected?.();
    }
  };

  void connect(false);
  return {
    ready,
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      markReady();
      await current?.end().catch(() => {});
    },
  };
}
