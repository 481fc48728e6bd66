import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';
import { InvalidInputError } from './errors.ts';
import { requireSource } from './requireSource.ts';
import { listArtifactFiles } from './runArtifacts.ts';

export interface DeadRunArtifact {
  attempt: number;
  file: string;
}

export interface DeadRun {
  id: number;
  prompt_id: string;
  prompt: string;
  ai_source: string;
  attempts: number;
  /** `<kind>: <message>` of its last failure. */
  last_error: string | null;
  /** ISO 8601. */
  finished_at: string | null;
  /** The files its latest attempts saved (screenshot, page HTML, trace), newest attempt first. */
  artifacts: DeadRunArtifact[];
}

export interface DeadRunsPage {
  rows: DeadRun[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export const MAX_DEAD_RUNS_PAGE = 200;

interface Position {
  at: string;
  id: number;
}

/** The cursor names the last row of a page: its time as PostgreSQL wrote it (microseconds kept) and id. */
function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-][\d:]+)$/.test(value[0]) &&
    !Number.isNaN(Date.parse(value[0])) &&
    Number.isSafeInteger(value[1])
  ) {
    return { at: value[0], id: value[1] };
  }
  throw new InvalidInputError(
    'cursor is not one this API gave: pass next_cursor from the previous page as it is',
  );
}

/**
 * Dead runs, most recently dead first, a page at a time (list_dead_runs, sql/170), each with its prompt,
 * its last error and the artifacts its latest failed attempts saved.
 */
export async function listDeadRuns(
  db: Db,
  options: { aiSource?: string | null; limit?: number; cursor?: string | null } = {},
): Promise<DeadRunsPage> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEAD_RUNS_PAGE) {
    throw new InvalidInputError(`limit must be a whole number from 1 to ${MAX_DEAD_RUNS_PAGE}, got ${limit}`);
  }
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  if (options.aiSource) await requireSource(db, options.aiSource);
  const { rows } = await sql<{
    id: string;
    prompt_id: string;
    prompt: string;
    source: string;
    attempts: number;
    last_error: string | null;
    finished_at: string | null;
    sort_at: string;
    artifacts: { attempt: number; path: string }[];
  }>`SELECT d.id, d.prompt_id, d.prompt, d.source, d.attempts, d.last_error,
            to_json(d.finished_at) #>> '{}' AS finished_at, to_json(d.sort_at) #>> '{}' AS sort_at, d.artifacts
     FROM list_dead_runs(${options.aiSource ?? null}::text, ${after?.at ?? null}::timestamptz,
                         ${after?.id ?? null}::bigint, ${limit + 1}::integer) AS d`.execute(db);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const runs = await Promise.all(
    page.map(async (row): Promise<DeadRun> => {
      const saved = await Promise.all(
        row.artifacts.map(async ({ attempt, path }) =>
          (await listArtifactFiles(path)).map((file) => ({ attempt, file })),
        ),
      );
      return {
        id: Number(row.id),
        prompt_id: row.prompt_id,
        prompt: row.prompt,
        ai_source: row.source,
        attempts: row.attempts,
        last_error: row.last_error,
        finished_at: row.finished_at,
        artifacts: saved.flat(),
      };
    }),
  );
  return {
    rows: runs,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.sort_at, id: Number(last.id) }) : null,
  };
}
