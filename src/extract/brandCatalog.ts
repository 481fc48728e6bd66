import type { Queryable } from '../db/queryable.ts';
import type { TrackedBrand } from './types.ts';

const REFRESH_MS = 30_000;

/** The `brands` table, re-read at most every 30 s, so a brand added with SQL is tracked within a minute. */
export class BrandCatalog {
  #brands: Promise<readonly TrackedBrand[]> | undefined;
  #loadedAt = 0;

  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  get(): Promise<readonly TrackedBrand[]> {
    if (!this.#brands || Date.now() - this.#loadedAt > REFRESH_MS) {
      this.#loadedAt = Date.now();
      const loading = this.#load();
      // A failed read is retried on the next call rather than cached.
      loading.catch(() => {
        if (this.#brands === loading) this.#brands = undefined;
      });
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
