import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { type Listener, listen } from '../db/listen.ts';

/** sql/150_results_version.sql notifies here when a transaction that changed the results commits. */
export const RESULTS_CHANNEL = 'avt_results';

export interface CachedValue<T> {
  /** The results version the value was read at (results_version(), in the same snapshot). */
  version: string;
  value: T;
}

/**
 * A replica's view of "have the results changed?": the current results version, kept in memory and dropped
 * on every NOTIFY avt_results (and when the LISTEN session comes back after a loss, since notifications
 * may have been missed), and a small cache of computed figures keyed by what was asked, valid for one
 * version. Every replica derives the version from the database, so they hand out the same ETags.
 *
 * With a read replica, the version comes from the primary (`versionPool`), where the notification came
 * from, and the values from the replica: a value read before the replica has caught up carries the
 * replica's older version, is served under that ETag, and is not cached, so the next request reads again.
 */
export class ResultsCache {
  readonly #pool: pg.Pool;
  readonly #versionPool: pg.Pool;
  readonly #maxEntries: number;
  readonly #logger: Logger | undefined;
  #version: Promise<string> | null = null;
  /** Bumped by every invalidation: a version read that started before one is not kept. */
  #generation = 0;
  readonly #entries = new Map<string, CachedValue<unknown>>();
  #listener: Listener | null = null;
  /** What the cache did, for /metrics: a 304 never reads the results (not_modified), a miss reads them once. */
  readonly counts = { hit: 0, miss: 0, not_modified: 0, version_read: 0 };

  constructor(
    readPool: pg.Pool,
    options: { versionPool?: pg.Pool; maxEntries?: number; logger?: Logger } = {},
  ) {
    this.#pool = readPool;
    this.#versionPool = options.versionPool ?? readPool;
    this.#maxEntries = options.maxEntries ?? 500;
    this.#logger = options.logger;
  }

  /** LISTENs for new results on `listenUrl` (a direct session: not through a transaction pooler). */
  async start(listenUrl: string): Promise<void> {
    this.#listener = listen({
      connectionString: listenUrl,
      channel: RESULTS_CHANNEL,
      applicationName: 'avt-serve:listen',
      onNotification: () => this.invalidate(),
      onReconnected: () => this.invalidate(),
      ...(this.#logger ? { logger: this.#logger } : {}),
    });
    await this.#listener.ready;
  }

  async stop(): Promise<void> {
    await this.#listener?.close();
  }

  /** New results committed: the version must be read again and every cached value goes. */
  invalidate(): void {
    this.#generation += 1;
    this.#version = null;
    this.#entries.clear();
  }

  /** The current results version: from memory, or one cheap query after a change. */
  version(): Promise<string> {
    if (this.#version) return this.#version;
    this.counts.version_read += 1;
    const read = this.#versionPool
      .query<{ v: string }>('SELECT results_version() AS v')
      .then(({ rows }) => rows[0]?.v as string);
    // A failed read is not kept: the next request asks again.
    read.catch(() => {
      if (this.#version === read) this.#version = null;
    });
    this.#version = read;
    return read;
  }

  /** An ETag for `key` at `version`: equal across replicas for the same results. */
  static etag(version: string, key: string): string {
    return `"${createHash('sha256').update(version).update('\0').update(key).digest('base64url').slice(0, 27)}"`;
  }

  /**
   * The value for `key`: from the cache when it was read at the current version, else computed by `read`
   * on a client in a REPEATABLE READ snapshot that also reads the version it belongs to.
   */
  async read<T>(key: string, read: (client: pg.PoolClient) => Promise<T>): Promise<CachedValue<T>> {
    const current = await this.version();
    const hit = this.#entries.get(key);
    if (hit && hit.version === current) {
      this.counts.hit += 1;
      return hit as CachedValue<T>;
    }
    this.counts.miss += 1;
    const generation = this.#generation;
    const client = await this.#pool.connect();
    let fresh: CachedValue<T>;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ v: string }>('SELECT results_version() AS v');
      fresh = { version: rows[0]?.v as string, value: await read(client) };
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    if (generation === this.#generation && fresh.version === current) {
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, fresh);
    }
    return fresh;
  }
}
