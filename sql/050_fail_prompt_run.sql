-- Records a failed attempt. A permanent error kind (error_kinds.permanent, e.g. bad_input) or a run out of
-- attempts goes `dead`; anything else is re-queued after an exponential backoff with jitter:
--   d = least(backoff_cap_seconds, backoff_base_seconds * 2^(attempts - 1)),  delay = d/2 + random() * d/2
-- retry_after_seconds (a platform's Retry-After) sets a floor under that delay.
-- A kind that does not charge an attempt (error_kinds.charges_attempt: rate limits, captchas, login walls
-- are not the prompt's fault) gives the attempt back and never makes the run dead by itself.
-- Returns false, changing nothing, when the caller's lease no longer holds.
CREATE OR REPLACE FUNCTION fail_prompt_run(
  run_id bigint,
  lease_token uuid,
  error_kind text,
  error text,
  retry_after_seconds integer DEFAULT NULL
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
SET enable_seqscan = off -- see avt_complete_runs (040)
AS $$
#variable_conflict use_column
DECLARE
  v_permanent boolean;
  v_charged boolean;
  v_run prompt_runs%ROWTYPE;
  v_src ai_sources%ROWTYPE;
  v_dead boolean;
  v_cap double precision;
  v_delay double precision;
BEGIN
  SELECT k.permanent, k.charges_attempt INTO v_permanent, v_charged
  FROM error_kinds k WHERE k.kind = fail_prompt_run.error_kind;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'fail_prompt_run: unknown error_kind %; known kinds: %', quote_nullable(fail_prompt_run.error_kind),
      (SELECT string_agg(k.kind, ', ' ORDER BY k.kind) FROM error_kinds k)
      USING ERRCODE = '22023';
  END IF;

  SELECT * INTO v_run FROM prompt_runs r
  WHERE r.id = fail_prompt_run.run_id
    AND r.lease_token = fail_prompt_run.lease_token
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;

  SELECT * INTO v_src FROM ai_sources s WHERE s.name = v_run.ai_source;
  v_dead := v_permanent OR (v_charged AND v_run.attempts >= v_src.max_attempts);
  v_cap := least(v_src.backoff_cap_seconds::double precision,
                 v_src.backoff_base_seconds * power(2::double precision, greatest(v_run.attempts - 1, 0)));
  v_delay := greatest(v_cap / 2 + random() * v_cap / 2,
                      coalesce(fail_prompt_run.retry_after_seconds, 0)::double precision);

  UPDATE prompt_runs r
  SET status = CASE WHEN v_dead THEN 'dead' ELSE 'queued' END,
      attempts = CASE WHEN v_charged THEN r.attempts ELSE r.attempts - 1 END,
      run_after = CASE WHEN v_dead THEN r.run_after
                       ELSE pg_catalog.now() + make_interval(secs => v_delay) END,
      finished_at = CASE WHEN v_dead THEN pg_catalog.now() END,
      last_error = fail_prompt_run.error_kind || ': ' || coalesce(fail_prompt_run.error, ''),
      locked_by = NULL,
      lease_token = NULL,
      locked_until = NULL
  WHERE r.id = v_run.id;

  UPDATE run_attempts a
  SET finished_at = pg_catalog.now(),
      outcome = CASE WHEN v_dead THEN 'dead' ELSE 'retry' END,
      error_kind = fail_prompt_run.error_kind,
      error = fail_prompt_run.error
  WHERE a.lease_token = fail_prompt_run.lease_token;
  RETURN true;
END
$$;
