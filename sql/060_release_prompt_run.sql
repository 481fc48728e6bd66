-- Gives a run back without charging the attempt (graceful shutdown): it is queued again in its old place
-- and idle workers are woken. Returns false, changing nothing, when the caller's lease no longer holds.
CREATE OR REPLACE FUNCTION release_prompt_run(
  run_id bigint,
  lease_token uuid
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
SET enable_seqscan = off -- see avt_complete_runs (040)
AS $$
#variable_conflict use_column
DECLARE
  v_source text;
BEGIN
  UPDATE prompt_runs r
  SET status = 'queued',
      attempts = r.attempts - 1,
      locked_by = NULL,
      lease_token = NULL,
      locked_until = NULL
  WHERE r.id = release_prompt_run.run_id
    AND r.lease_token = release_prompt_run.lease_token
  RETURNING r.ai_source INTO v_source;
  IF NOT FOUND THEN
    RETURN false;
  END IF;

  UPDATE run_attempts a
  SET finished_at = pg_catalog.now(), outcome = 'released'
  WHERE a.lease_token = release_prompt_run.lease_token;
  PERFORM pg_notify('prompt_runs_queued', v_source);
  RETURN true;
END
$$;
