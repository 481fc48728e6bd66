import assert from 'node:assert/strict';
import type pg from 'pg';
import { addPrompts, claim } from '../helpers/queue.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * A run of a new prompt on `source` that went dead: claimed, then failed with a permanent error, the
 * attempt's artifacts directory recorded when given. Returns the run id.
 */
export async function deadRun(
  db: Queryable,
  options: { source?: string; text?: string; artifactsPath?: string } = {},
): Promise<number> {
  const source = options.source ?? 'chatgpt';
  // The highest priority: its run is claimed before any other queued on the source.
  const [promptId] = await addPrompts(db, [options.text ?? `dead on ${source}`], 2_147_483_647);
  await db.query(`UPDATE prompt_runs SET status = 'cancelled' WHERE prompt_id = $1 AND ai_source <> $2`, [
    promptId,
    source,
  ]);
  const lease = await claim(db, { source });
  assert.equal(lease?.promptId, promptId, `the new prompt's run on ${source} was not claimed`);
  assert.ok(lease);
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM record_prompt_run_failures($1::jsonb)',
    [
      JSON.stringify([
        {
          run_id: lease.runId,
          lease_token: lease.leaseToken,
          error_kind: 'bad_input',
          error: 'the prompt cannot be run',
          artifacts_path: options.artifactsPath,
        },
      ]),
    ],
  );
  assert.equal(rows[0]?.status, 'dead');
  return Number(lease.runId);
}
