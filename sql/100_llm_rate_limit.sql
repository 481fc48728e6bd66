-- The LLM API's rate limit across all worker processes: reserves the next free request slot of `name` and
-- returns how many milliseconds the caller must wait before sending (0 = send now).
--
-- Slots are spaced evenly, (60 s + margin) / per_minute apart, so no 60-second window ever holds more than
-- per_minute requests, even when the moment of sending drifts from the moment of reserving by up to the
-- margin. Even spacing (rather than a burst of per_minute, then a pause) keeps the wait per request short,
-- which is what lets batching absorb a low limit. The row lock serialises reservations: one short UPDATE.
CREATE OR REPLACE FUNCTION reserve_llm_slot(name text, per_minute integer, margin_ms integer DEFAULT 1000)
RETURNS double precision
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := clock_timestamp();
  v_spacing interval;
  v_slot timestamptz;
BEGIN
  IF per_minute IS NULL OR per_minute < 1 THEN
    RAISE EXCEPTION 'reserve_llm_slot: per_minute must be >= 1, got %', per_minute
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_spacing := make_interval(secs => (60000 + greatest(margin_ms, 0)) / 1000.0 / per_minute);

  INSERT INTO llm_rate_limits AS l (name, next_at)
  VALUES (reserve_llm_slot.name, v_now + v_spacing)
  ON CONFLICT (name) DO UPDATE SET next_at = greatest(l.next_at, v_now) + v_spacing
  RETURNING next_at - v_spacing INTO v_slot;

  RETURN greatest(0, extract(epoch FROM v_slot - v_now) * 1000);
END
$$;
