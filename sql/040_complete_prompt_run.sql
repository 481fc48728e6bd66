-- Marking runs done, shared by complete_prompt_run and commit_prompt_run_results: returns each run whose
-- lease (its token) still held, as it now is; the others change nothing and are left out.
-- The lease functions find a run by id and token alone: a run has a token exactly while it is running
-- (prompt_runs_lease_only_while_running), and naming the status would steer the planner to the partial index
-- prompt_runs_leases_idx, whose dead entries pile up between vacuums, instead of the primary key.
-- enable_seqscan is off in the lease functions: a session caches their plans, and a lookup planned while its
-- table was still empty (a new install, a fresh benchmark database) stayed a sequential scan as the table
-- grew, one scan of all run_attempts per job until an ANALYZE. Every lookup in them has its index.
DROP FUNCTION IF EXISTS avt_complete_run(bigint, uuid);
CREATE OR REPLACE FUNCTION avt_complete_runs(run_ids bigint[], lease_tokens uuid[]) RETURNS SETOF prompt_runs
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH done AS (
    UPDATE prompt_runs r
    SET status = 'done',
        finished_at = pg_catalog.now(),
        last_error = NULL,
        locked_by = NULL,
        lease_token = NULL,
        locked_until = NULL
    FROM unnest(avt_complete_runs.run_ids, avt_complete_runs.lease_tokens) AS l (run_id, lease_token)
    WHERE r.id = l.run_id
      AND r.lease_token = l.lease_token
    RETURNING r AS run, l.lease_token AS held_token
  ), closed AS (
    UPDATE run_attempts a
    SET finished_at = pg_catalog.now(), outcome = 'done'
    FROM done d
    WHERE a.lease_token = d.held_token
  )
  SELECT (d.run).* FROM done d;
END
$$;

-- Marks a run done. Returns false, changing nothing, when the caller's lease no longer holds: the caller
-- must then roll back whatever it wrote in the same transaction.
CREATE OR REPLACE FUNCTION complete_prompt_run(
  run_id bigint,
  lease_token uuid
) RETURNS boolean
LANGUAGE sql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
AS $$
  SELECT EXISTS (
    SELECT FROM avt_complete_runs(ARRAY[complete_prompt_run.run_id], ARRAY[complete_prompt_run.lease_token])
  )
$$;
