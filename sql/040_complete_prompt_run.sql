-- Marking a run done, shared by complete_prompt_run and commit_prompt_run_result: returns the run as it
-- now is, or NULL (changing nothing) when the caller's lease no longer holds.
-- The lease functions find the run by id and token alone: a run has a token exactly while it is running
-- (prompt_runs_lease_only_while_running), and naming the status would steer the planner to the partial index
-- prompt_runs_leases_idx, whose dead entries pile up between vacuums, instead of the primary key.
-- enable_seqscan is off in the lease functions: a session caches their plans, and a lookup planned while its
-- table was still empty (a new install, a fresh benchmark database) stayed a sequential scan as the table
-- grew, one scan of all run_attempts per job until an ANALYZE. Every lookup in them has its index.
CREATE OR REPLACE FUNCTION avt_complete_run(run_id bigint, lease_token uuid) RETURNS prompt_runs
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
  v_run prompt_runs%ROWTYPE;
BEGIN
  UPDATE prompt_runs r
  SET status = 'done',
      finished_at = pg_catalog.now(),
      last_error = NULL,
      locked_by = NULL,
      lease_token = NULL,
      locked_until = NULL
  WHERE r.id = avt_complete_run.run_id
    AND r.lease_token = avt_complete_run.lease_token
  RETURNING r.* INTO v_run;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  UPDATE run_attempts a
  SET finished_at = pg_catalog.now(), outcome = 'done'
  WHERE a.lease_token = avt_complete_run.lease_token;
  RETURN v_run;
END
$$;

-- Marks a run done. Returns false, changing nothing, when the caller's lease no longer holds: the caller
-- must then roll back whatever it wrote in the same transaction.
CREATE OR REPLACE FUNCTION complete_prompt_run(
  run_id bigint,
  lease_token uuid
) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
  SELECT (avt_complete_run(complete_prompt_run.run_id, complete_prompt_run.lease_token)).id IS NOT NULL
$$;
