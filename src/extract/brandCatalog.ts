import type { Queryable } from '../db/queryable.ts';
import type { TrackedBrand } from './types.ts';

const REFRESH_MS = 30_000;

/**
 * The `brands` table, re-read at most every 30 s, so a brand added with SQL is tracked within a minute. A
 * refresh that fails (the database restarting) keeps the last list read, so answers captured meanwhile are
 * still extracted; only a first read that fails fails the job.
 */
export class BrandCatalog {
  #brands: Promise<readonly TrackedBrand[]> | undefined;
  #loadedAt = 0;
  #lastRead: readonly TrackedBrand[] | undefined;

  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  get(): Promise<readonly TrackedBrand[]> {
    if (!this.#brands || Date.now() - this.#loadedAt > REFRESH_MS) {
      this.#loadedAt = Date.now();
      const lastRead = this.#lastRead;
      const loading = this.#load().then(
        (brands) => {
          this.#lastRead = brands;
          return brands;
        },
        (error: unknown) => {
          // Not cached: the next call reads again.
          if (this.#brands === loading) this.#brands = undefined;
          if (lastRead) return lastRead;
          throw error;
        },
      );
      this.#brands = loading;
    }
    return this.#brands;
  }

  async #load(): Promise<readonly TrackedBrand[]> {
    const { rows } = await this.#db.query<{ id: string; name: string; aliases: string[]; domains: string[] }>(
      'SELECT id::text, name, aliases, domains FROM brands ORDER BY id',
    );
    return rows;
  }
}
