-- Records the failed attempts of several runs in one statement, each with what its failure brings: the
-- attempt's artifacts path, a pause of the run's source, and the alerts (graphile-worker's send_alert job)
-- for a run that went dead or a source that was paused. Everything a failure writes commits together, so
-- a dead run or a paused source always comes with its alert.
--
-- failures: a JSON array of objects
--   run_id, lease_token, error_kind, error    as fail_prompt_run (050) takes them
--   retry_after_seconds                       optional: a floor under the backoff
--   artifacts_path                            optional: where the attempt's screenshot and HTML were saved
--   pause_seconds, pause_reason               optional: pause the run's source for this many seconds, or
--                                             'until_resumed' (until `avt resume`)
--   dead_alert                                optional: the send_alert payload if the run goes dead; the
--                                             text `{attempts}` in its "text" becomes the attempt count
--   pause_alert                               optional: the send_alert payload sent with the pause
-- Returns one row per failure, in order: the run's new status (queued or dead), or NULL where the lease no
-- longer held (nothing was written for that run).
CREATE OR REPLACE FUNCTION record_prompt_run_failures(failures jsonb)
RETURNS TABLE (run_id bigint, status text)
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
AS $$
#variable_conflict use_column
DECLARE
  f jsonb;
  v_run prompt_runs%ROWTYPE;
BEGIN
  IF jsonb_typeof(failures) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'record_prompt_run_failures: expected a JSON array of failures, got %', jsonb_typeof(failures)
      USING ERRCODE = '22023';
  END IF;
  FOR f IN SELECT e.value FROM jsonb_array_elements(failures) AS e (value) LOOP
    run_id := (f ->> 'run_id')::bigint;
    IF NOT fail_prompt_run(run_id, (f ->> 'lease_token')::uuid, f ->> 'error_kind', f ->> 'error',
                           (f ->> 'retry_after_seconds')::integer) THEN
      status := NULL;
      RETURN NEXT;
      CONTINUE;
    END IF;

    IF f ->> 'artifacts_path' IS NOT NULL THEN
      UPDATE run_attempts a SET artifacts_path = f ->> 'artifacts_path'
      WHERE a.lease_token = (f ->> 'lease_token')::uuid;
    END IF;

    SELECT * INTO v_run FROM prompt_runs r WHERE r.id = record_prompt_run_failures.run_id;
    status := CASE WHEN v_run.status = 'dead' THEN 'dead' ELSE 'queued' END;
    IF status = 'dead' AND f ? 'dead_alert' THEN
      PERFORM graphile_worker.add_job(
        'send_alert',
        jsonb_set(f -> 'dead_alert', '{text}',
                  to_jsonb(replace(f -> 'dead_alert' ->> 'text', '{attempts}', v_run.attempts::text)))::json,
        max_attempts => 10);
    END IF;

    IF f ->> 'pause_seconds' IS NOT NULL THEN
      UPDATE ai_sources s
      SET paused_until = CASE
            WHEN f ->> 'pause_seconds' = 'until_resumed' THEN 'infinity'::timestamptz
            ELSE greatest(coalesce(s.paused_until, pg_catalog.now()),
                          pg_catalog.now() + make_interval(secs => (f ->> 'pause_seconds')::double precision))
          END,
          pause_reason = f ->> 'pause_reason'
      WHERE s.name = v_run.ai_source;
      IF f ? 'pause_alert' THEN
        PERFORM graphile_worker.add_job('send_alert', (f -> 'pause_alert')::json, max_attempts => 10);
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
