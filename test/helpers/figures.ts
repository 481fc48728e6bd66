import assert from 'node:assert/strict';
import type pg from 'pg';

/** The views the daily figures serve, each with an order that makes its rows comparable. */
export const FIGURE_VIEWS = {
  brand_visibility: 'day, ai_source, capture_mode, category NULLS FIRST, brand_id',
  citation_domains: 'day, ai_source, capture_mode, domain',
  brand_citations: 'day, ai_source, capture_mode, brand_id',
};

/** Every row of each figure view beside its recomputation from the raw answers; floats to 12 digits. */
export async function assertFiguresExact(db: Pick<pg.Pool, 'query'>, when: string): Promise<void> {
  for (const [view, order] of Object.entries(FIGURE_VIEWS)) {
    const read = async (name: string) => {
      const { rows } = await db.query(`SELECT * FROM ${name} ORDER BY ${order}`);
      return rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
          ]),
        ),
      );
    };
    const [figures, recomputed] = await Promise.all([read(view), read(`${view}_recomputed`)]);
    assert.ok(recomputed.length > 0, `${when}: ${view} has rows to compare`);
    assert.deepEqual(figures, recomputed, `${when}: ${view}`);
  }
}
