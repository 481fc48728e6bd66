import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../db/queryable.ts';
import { progressBar } from '../progressBar.ts';

export interface RunCounts {
  done: number;
  dead: number;
  total: number;
}

async function countRuns(db: Queryable, runIds: string[]): Promise<RunCounts> {
  const { rows } = await db.query<RunCounts>(
    `SELECT count(*) FILTER (WHERE status = 'done')::int AS done,
            count(*) FILTER (WHERE status IN ('dead', 'cancelled'))::int AS dead,
            count(*)::int AS total
     FROM prompt_runs WHERE id = ANY($1::bigint[])`,
    [runIds],
  );
  return rows[0] ?? { done: 0, dead: 0, total: 0 };
}

/**
 * Shows a progress bar until every run has ended (done or dead), or `stop` resolves first (the workers
 * exited). Returns the last counts.
 */
export async function watchRuns(
  db: Queryable,
  runIds: string[],
  stop: Promise<unknown>,
  output: NodeJS.WriteStream = process.stderr,
): Promise<RunCounts> {
  const bar = progressBar('runs {bar} {value}/{total} ended ({dead} dead) | {duration}s', output);
  bar.start(runIds.length, 0, { dead: 0 });
  let stopped = false;
  void stop.finally(() => {
    stopped = true;
  });
  let counts = await countRuns(db, runIds);
  try {
    while (counts.done + counts.dead < counts.total && !stopped) {
      bar.update(counts.done + counts.dead, { dead: counts.dead });
      await Promise.race([sleep(500), stop]);
      counts = await countRuns(db, runIds);
    }
    bar.update(counts.done + counts.dead, { dead: counts.dead });
  } finally {
    bar.stop();
  }
  return counts;
}
