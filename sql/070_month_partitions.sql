-- Answers and everything read from them live in monthly partitions on captured_at (UTC months), one per
-- table per month: responses_2026_12, brand_mentions_2026_12, citations_2026_12,
-- discovered_competitors_2026_12. A month's rows are kept together so that retention drops them at once.

-- The tables partitioned by the month of their answer.
CREATE OR REPLACE FUNCTION avt_monthly_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['responses', 'brand_mentions', 'citations', 'discovered_competitors']
$$;

-- Creates the partitions of every monthly table for the UTC month that holds `month` (any day of it).
-- Idempotent. Rows of that month in a default partition move into the new partition first (attaching over
-- them would fail); moving between partitions fires none of the parent tables' triggers, so no figure
-- changes. Returns the names of the partitions it created.
CREATE OR REPLACE FUNCTION create_month_partitions(month date)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_month date := date_trunc('month', create_month_partitions.month::timestamp)::date;
  v_from timestamptz := v_month::timestamp AT TIME ZONE 'UTC';
  v_to timestamptz := (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  v_table text;
  v_name text;
BEGIN
  IF create_month_partitions.month IS NULL THEN
    RAISE EXCEPTION 'create_month_partitions: month must not be NULL' USING ERRCODE = '22004';
  END IF;
  FOREACH v_table IN ARRAY avt_monthly_tables() LOOP
    v_name := format('%s_%s', v_table, to_char(v_month, 'YYYY_MM'));
    IF to_regclass(v_name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name, v_table);
      EXECUTE format(
        'WITH moved AS (DELETE FROM %I WHERE captured_at >= %L AND captured_at < %L RETURNING *)
         INSERT INTO %I SELECT * FROM moved', v_table || '_default', v_from, v_to, v_name);
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_table, v_name, v_from,
                     v_to);
      RETURN NEXT v_name;
    END IF;
  END LOOP;
END
$$;

-- Creates the monthly partitions from this month through `months_ahead` months ahead. Idempotent. Returns
-- the names of the partitions it created.
CREATE OR REPLACE FUNCTION create_response_partitions(months_ahead integer DEFAULT 3)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF months_ahead < 0 OR months_ahead > 120 THEN
    RAISE EXCEPTION 'create_response_partitions: months_ahead must be 0..120, got %', months_ahead
      USING ERRCODE = '22023';
  END IF;
  FOR i IN 0..months_ahead LOOP
    RETURN QUERY SELECT create_month_partitions(
      (date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') + make_interval(months => i))::date);
  END LOOP;
END
$$;

-- The months before `before` (the first day of a month) that hold answers: those with monthly partitions, and
-- those of rows in the default partition. What archive and retention act on.
CREATE OR REPLACE FUNCTION answer_months_before(before date)
RETURNS SETOF date
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF answer_months_before.before IS NULL
     OR answer_months_before.before <> date_trunc('month', answer_months_before.before::timestamp) THEN
    RAISE EXCEPTION 'answer_months_before: before must be the first day of a month, got %',
      answer_months_before.before USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
  SELECT m.month FROM (
    SELECT to_date(substr(c.relname, length('responses_') + 1), 'YYYY_MM') AS month
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'responses'::regclass AND c.relname ~ '^responses_[0-9]{4}_[0-9]{2}$'
    UNION
    SELECT date_trunc('month', d.captured_at AT TIME ZONE 'UTC')::date
    FROM responses_default d
    WHERE d.captured_at < answer_months_before.before::timestamp AT TIME ZONE 'UTC'
  ) m
  WHERE m.month < answer_months_before.before
  ORDER BY m.month;
END
$$;

-- Drops every month before `before` (the first day of a month) from every monthly table at once: its
-- partitions, and its rows in the default partitions. Returns what went, one line per partition or default
-- partition. The daily figures stay: dropping fires no trigger, so a dropped month still counts in
-- brand_visibility and the citation views (their *_recomputed twins, which read the raw rows, lose it).
CREATE OR REPLACE FUNCTION drop_months_before(before date)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_month date;
  v_table text;
  v_name text;
  v_rows bigint;
BEGIN
  FOR v_month IN SELECT m FROM answer_months_before(drop_months_before.before) m LOOP
    FOREACH v_table IN ARRAY avt_monthly_tables() LOOP
      v_name := format('%s_%s', v_table, to_char(v_month, 'YYYY_MM'));
      IF to_regclass(v_name) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %I', v_name);
        RETURN NEXT v_name;
      END IF;
    END LOOP;
  END LOOP;
  -- Rows of those months that no partition held. Rows at '-infinity' (a mention whose response never
  -- existed) are no month's and stay.
  FOREACH v_table IN ARRAY avt_monthly_tables() LOOP
    EXECUTE format('DELETE FROM %I WHERE captured_at > ''-infinity'' AND captured_at < %L', v_table || '_default',
                   drop_months_before.before::timestamp AT TIME ZONE 'UTC');
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows > 0 THEN
      RETURN NEXT format('%s_default (%s rows)', v_table, v_rows);
    END IF;
  END LOOP;
END
$$;

-- RETENTION_MONTHS: drops each month whose answers are all older than `retention_months` months (UTC), so at
-- least that many months of answers are kept. Run by the daily maintain_partitions task.
CREATE OR REPLACE FUNCTION apply_retention(retention_months integer)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF apply_retention.retention_months IS NULL OR apply_retention.retention_months < 1 THEN
    RAISE EXCEPTION 'apply_retention: retention_months must be 1 or more, got %', apply_retention.retention_months
      USING ERRCODE = '22023';
  END IF;
  RETURN QUERY SELECT drop_months_before(
    date_trunc('month', (pg_catalog.now() AT TIME ZONE 'UTC') - make_interval(months => apply_retention.retention_months))::date);
END
$$;
