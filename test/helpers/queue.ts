import type pg from 'pg';
import { addBrands } from '../../src/db/brands.ts';
import { DEMO_BRANDS } from '../../src/mock/brands.ts';
import { type ClaimRow, toClaimedRun } from '../../src/queue/claimNextPrompt.ts';
import type { ClaimedRun } from '../../src/queue/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

type Queryable = Pick<pg.Pool | pg.ClientBase, 'query'>;

/** Leaves only these sources enabled (the others keep their rows but get no runs and no claims). */
export async function onlySources(db: Queryable, ...names: string[]): Promise<void> {
  await db.query('UPDATE ai_sources SET enabled = (name = ANY($1::text[]))', [names]);
}

/** Inserts prompts (one statement) and returns their ids in the order given. */
export async function addPrompts(db: Queryable, texts: string[], priority = 0): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO prompts (text, priority)
     SELECT t, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n
     RETURNING id`,
    [texts, priority],
  );
  return rows.map((row) => row.id);
}

export interface ClaimOptions {
  workerId?: number;
  source?: string;
  leaseSeconds?: number | null;
  workerTag?: string | null;
  /**
   * The claim's clock, as a SQL expression (e.g. `now() + interval '10 minutes'` or
   * `(SELECT run_after FROM prompt_runs WHERE id = 7)`); the real clock when omitted.
   */
  now?: string;
}

/** claim_next_prompt through raw SQL, with the test-only `now` parameter exposed. */
export async function claim(db: Queryable, options: ClaimOptions = {}): Promise<ClaimedRun | null> {
  const { rows } = await db.query<ClaimRow>(
    `SELECT * FROM claim_next_prompt($1::integer, $2::text, $3::integer, $4::text, ${options.now ?? 'NULL'})`,
    [
      options.workerId ?? 1,
      options.source ?? 'chatgpt',
      options.leaseSeconds ?? null,
      options.workerTag ?? null,
    ],
  );
  if (rows.length > 1) throw new Error(`claim_next_prompt returned ${rows.length} rows`);
  const row = rows[0];
  return row ? toClaimedRun(row) : null;
}

/** The run's row and its attempts, as JSON text: for "nothing changed" comparisons. */
export async function runSnapshot(db: Queryable, runId: string): Promise<string> {
  const { rows } = await db.query<{ snapshot: string }>(
    `SELECT json_build_object(
       'run', (SELECT to_jsonb(r) FROM prompt_runs r WHERE r.id = $1),
       'attempts', (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.id) FROM run_attempts a WHERE a.run_id = $1),
       'responses', (SELECT count(*) FROM responses WHERE run_id = $1)
     )::text AS snapshot`,
    [runId],
  );
  return rows[0]?.snapshot ?? '';
}

/** Runs done on their first attempt, responses, runs with one, attempts done: all equal when each run was done once. */
export async function doneOnce(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'done' AND attempts = 1)::int AS done,
            (SELECT count(*)::int FROM responses) AS responses,
            (SELECT count(DISTINCT run_id)::int FROM responses) AS runs_with_response,
            (SELECT count(*)::int FROM run_attempts WHERE outcome = 'done') AS attempts_done
     FROM prompt_runs`,
  );
  return rows[0];
}

/** A minimal result for commitResult. */
export function answer(text = 'an answer') {
  return { response: { answerText: text }, mentions: [], citations: [] };
}

/** The first five demo brands: the mock's answers also name three untracked ones (Freshsales, Close, Act!). */
export const TRACKED_DEMO_BRANDS = DEMO_BRANDS.slice(0, 5);

/** A migrated database where only chatgpt is enabled and the first five demo brands are tracked. */
export async function createTrackingDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrated: true });
  await onlySources(database.pool, 'chatgpt');
  await addBrands(database.pool, TRACKED_DEMO_BRANDS);
  return database;
}
