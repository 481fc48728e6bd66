-- Extends a live lease. Returns false when the lease is no longer this caller's (the run was taken back
-- after expiry, finished, or released): the job must stop and commit nothing.
-- A lease that expired but was not yet taken over by another claim can still be renewed: nobody else holds it.
CREATE OR REPLACE FUNCTION heartbeat_prompt_run(
  run_id bigint,
  lease_token uuid,
  lease_seconds integer DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
SET enable_seqscan = off -- see avt_complete_runs (040)
AS $$
#variable_conflict use_column
BEGIN
  UPDATE prompt_runs r
  SET locked_until = pg_catalog.now() + make_interval(secs => coalesce(
        heartbeat_prompt_run.lease_seconds,
        (SELECT s.lease_seconds FROM ai_sources s WHERE s.name = r.ai_source)))
  WHERE r.id = heartbeat_prompt_run.run_id
    AND r.lease_token = heartbeat_prompt_run.lease_token;
  RETURN FOUND;
END
$$;
