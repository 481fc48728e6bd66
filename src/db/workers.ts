import { sql } from 'kysely';
import type { Db } from './kysely.ts';

export interface WorkerRegistration {
  workerId: number;
  aiSource: string;
  /** `host:pid:nonce`, as the process's claims give it. */
  workerTag: string;
  host: string;
  pid: number;
  version: string;
  concurrency: number;
  /** The connections the process may open (its pool and LISTEN session): `avt doctor` adds them up. */
  dbConnections: number;
}

/**
 * Announces this process in `workers`, under the `locked_by` its claims carry (avt_locked_by, sql/020);
 * returns the row id that touchWorker and stopWorker take, and that `locked_by`.
 */
export async function registerWorker(
  db: Db,
  worker: WorkerRegistration,
): Promise<{ id: string; lockedBy: string }> {
  const row = await db
    .insertInto('workers')
    .values({
      worker_id: worker.workerId,
      ai_source: worker.aiSource,
      locked_by: sql<string>`avt_locked_by(${worker.workerId}::integer, ${worker.workerTag}::text)`,
      host: worker.host,
      pid: worker.pid,
      version: worker.version,
      concurrency: worker.concurrency,
      db_connections: worker.dbConnections,
    })
    .returning(['id', 'locked_by'])
    .executeTakeFirstOrThrow();
  return { id: row.id, lockedBy: row.locked_by };
}

export async function touchWorker(db: Db, id: string): Promise<void> {
  await db.updateTable('workers').set({ last_seen_at: sql`now()` }).where('id', '=', id).execute();
}

export async function stopWorker(db: Db, id: string): Promise<void> {
  await db
    .updateTable('workers')
    .set({ last_seen_at: sql`now()`, stopped_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface WorkerRow {
  worker_id: number;
  ai_source: string;
  host: string;
  pid: number;
  version: string;
  started_at: Date;
  last_seen_at: Date;
  state: 'live' | 'stopped' | 'vanished';
}

/**
 * Workers seen in the last day: `live` (seen within `staleSeconds`), `stopped` (exited cleanly) or
 * `vanished` (stopped reporting without saying goodbye: killed, crashed or cut off).
 */
export async function listWorkers(db: Db, staleSeconds = 60): Promise<WorkerRow[]> {
  return db
    .selectFrom('workers')
    .select([
      'worker_id',
      'ai_source',
      'host',
      'pid',
      'version',
      'started_at',
      'last_seen_at',
      sql<WorkerRow['state']>`CASE WHEN stopped_at IS NOT NULL THEN 'stopped'
        WHEN last_seen_at > now() - make_interval(secs => ${staleSeconds}) THEN 'live'
        ELSE 'vanished' END`.as('state'),
    ])
    .where('last_seen_at', '>', sql<Date>`now() - interval '1 day'`)
    .orderBy('ai_source')
    .orderBy('worker_id')
    .orderBy('started_at', 'desc')
    .execute();
}
