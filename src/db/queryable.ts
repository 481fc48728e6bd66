import type pg from 'pg';

/**
 * A pool or a checked-out client. The hot path (claim, commit) talks to pg directly: one round trip per
 * call, no query building.
 */
export type Queryable = Pick<pg.Pool, 'query'>;
