-- Creates the monthly partitions of `responses` from this month through `months_ahead` months ahead.
-- Idempotent. Returns the names of the partitions it created.
CREATE OR REPLACE FUNCTION create_response_partitions(months_ahead integer DEFAULT 3)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_month date;
  v_name text;
  v_from timestamptz;
  v_to timestamptz;
BEGIN
  IF months_ahead < 0 OR months_ahead > 120 THEN
    RAISE EXCEPTION 'create_response_partitions: months_ahead must be 0..120, got %', months_ahead
      USING ERRCODE = '22023';
  END IF;
  FOR i IN 0..months_ahead LOOP
    v_month := (date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    v_name := format('responses_%s', to_char(v_month, 'YYYY_MM'));
    IF to_regclass(v_name) IS NULL THEN
      v_from := v_month::timestamp AT TIME ZONE 'UTC';
      v_to := (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
      -- Rows that landed in the default partition for this month move into the new partition first;
      -- attaching over them would fail.
      EXECUTE format('CREATE TABLE %I (LIKE responses INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM responses_default WHERE captured_at >= %L AND captured_at < %L RETURNING *)
         INSERT INTO %I SELECT * FROM moved', v_from, v_to, v_name);
      EXECUTE format('ALTER TABLE responses ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_name, v_from, v_to);
      RETURN NEXT v_name;
    END IF;
  END LOOP;
END
$$;
