-- Marks a run done. Returns false, changing nothing, when the caller's lease no longer holds: the caller
-- must then roll back whatever it wrote in the same transaction (commitResult does).
CREATE OR REPLACE FUNCTION complete_prompt_run(
  run_id bigint,
  lease_token uuid
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  UPDATE prompt_runs r
  SET status = 'done',
      finished_at = pg_catalog.now(),
      last_error = NULL,
      locked_by = NULL,
      lease_token = NULL,
      locked_until = NULL
  WHERE r.id = complete_prompt_run.run_id
    AND r.status = 'running'
    AND r.lease_token = complete_prompt_run.lease_token;
  IF NOT FOUND THEN
    RETURN false;
  END IF;

  UPDATE run_attempts a
  SET finished_at = pg_catalog.now(), outcome = 'done'
  WHERE a.lease_token = complete_prompt_run.lease_token;
  RETURN true;
END
$$;
