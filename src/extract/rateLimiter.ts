import type { Queryable } from '../db/queryable.ts';

/** Reserves LLM request slots in Postgres, so every worker process shares one limit (sql/100_llm_rate_limit.sql). */
export class PostgresRateLimiter {
  readonly #db: Queryable;
  readonly #perMinute: number;

  constructor(db: Queryable, perMinute: number) {
    this.#db = db;
    this.#perMinute = perMinute;
  }

  /** Reserves the next slot; resolves to the milliseconds to wait before sending. */
  async reserve(): Promise<number> {
    const { rows } = await this.#db.query<{ wait_ms: number }>({
      name: 'avt_reserve_llm_slot',
      text: 'SELECT reserve_llm_slot($1, $2) AS wait_ms',
      values: ['llm', this.#perMinute],
    });
    return Math.ceil(rows[0]?.wait_ms ?? 0);
  }
}
