-- Starts a tracking round: one queued run per active prompt × enabled source × samples_per_round.
-- With `scheduled_for` (the cron tick) it is idempotent: every replica that fires the same tick gets the
-- same round back and creates no second set of runs. Returns the round id and how many runs it queued.
CREATE OR REPLACE FUNCTION schedule_round(reason text DEFAULT 'manual', scheduled_for timestamptz DEFAULT NULL)
RETURNS TABLE (round_id integer, runs_created bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_round integer;
  v_count bigint;
BEGIN
  -- Serialize round creation so two ticks cannot interleave.
  PERFORM pg_advisory_xact_lock(7370002);
  IF schedule_round.scheduled_for IS NOT NULL THEN
    SELECT r.id INTO v_round FROM rounds r WHERE r.scheduled_for = schedule_round.scheduled_for;
    IF FOUND THEN
      RETURN QUERY SELECT v_round, 0::bigint;
      RETURN;
    END IF;
  END IF;

  INSERT INTO rounds (reason, scheduled_for)
  VALUES (coalesce(schedule_round.reason, 'manual'), schedule_round.scheduled_for)
  RETURNING id INTO v_round;

  INSERT INTO prompt_runs (prompt_id, ai_source, round, sample, priority)
  SELECT p.id, s.name, v_round, g.sample, p.priority
  FROM prompts p
  CROSS JOIN ai_sources s
  CROSS JOIN LATERAL generate_series(1, s.samples_per_round) AS g (sample)
  WHERE p.active AND s.enabled
  ORDER BY p.priority DESC, p.created_at, s.name, g.sample
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN QUERY SELECT v_round, v_count;
END
$$;
