-- A mention, citation or discovered competitor lives in its response's month (sql/070). The project's own
-- writes give each row its response's captured_at; these triggers keep the rest in place:
--   - a row inserted without captured_at (an operator's load written before the column existed) gets the
--     default '-infinity' and is moved, with its id, into its response's month at the end of the statement;
--     one whose response is not there yet waits at '-infinity' in the default partition and moves when its
--     response is inserted;
--   - an answer whose captured_at changes takes its rows along.
-- Rows move through the parent tables, so the daily figures' triggers (sql/130) see a delete and an insert
-- of the same rows, and no figure changes.

-- Moves the rows of these answers that wait at '-infinity' in `table_name` into their answers' months.
CREATE OR REPLACE FUNCTION avt_place_waiting_rows(table_name text, response_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_moved jsonb;
BEGIN
  EXECUTE format(
    'WITH moved AS (
       DELETE FROM %1$I t USING responses r
       WHERE t.response_id = ANY ($1) AND t.captured_at = ''-infinity'' AND r.id = t.response_id
       RETURNING to_jsonb(t) || jsonb_build_object(''captured_at'', r.captured_at) AS row)
     SELECT jsonb_agg(row) FROM moved', avt_place_waiting_rows.table_name)
  INTO v_moved
  USING avt_place_waiting_rows.response_ids;
  -- A second statement, not the same one: the figures' triggers then see the delete before the insert.
  IF v_moved IS NOT NULL THEN
    EXECUTE format('INSERT INTO %1$I OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::%1$I, $1)',
                   avt_place_waiting_rows.table_name)
    USING v_moved;
  END IF;
END
$$;

-- After an insert into brand_mentions, citations or discovered_competitors.
CREATE OR REPLACE FUNCTION avt_place_rows_in_answer_month() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT n.response_id) INTO v_ids FROM new_rows n WHERE n.captured_at = '-infinity';
  IF v_ids IS NOT NULL THEN
    PERFORM avt_place_waiting_rows(TG_TABLE_NAME, v_ids);
  END IF;
  RETURN NULL;
END
$$;

-- After an insert into or an update of responses.
CREATE OR REPLACE FUNCTION avt_keep_rows_with_answer() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
  v_ids bigint[];
  v_table text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.id) INTO v_ids FROM new_responses n;
    -- Index probes of the default partitions, which hold nothing waiting unless an operator loaded rows
    -- before their answers.
    IF EXISTS (SELECT 1 FROM brand_mentions_default t WHERE t.response_id = ANY (v_ids) AND t.captured_at = '-infinity') THEN
      PERFORM avt_place_waiting_rows('brand_mentions', v_ids);
    END IF;
    IF EXISTS (SELECT 1 FROM citations_default t WHERE t.response_id = ANY (v_ids) AND t.captured_at = '-infinity') THEN
      PERFORM avt_place_waiting_rows('citations', v_ids);
    END IF;
    IF EXISTS (SELECT 1 FROM discovered_competitors_default t
               WHERE t.response_id = ANY (v_ids) AND t.captured_at = '-infinity') THEN
      PERFORM avt_place_waiting_rows('discovered_competitors', v_ids);
    END IF;
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM old_responses o JOIN new_responses n ON n.id = o.id
                 WHERE n.captured_at IS DISTINCT FROM o.captured_at) THEN
    RETURN NULL;
  END IF;
  FOREACH v_table IN ARRAY ARRAY['brand_mentions', 'citations', 'discovered_competitors'] LOOP
    EXECUTE format(
      'UPDATE %I t SET captured_at = n.captured_at
       FROM old_responses o JOIN new_responses n ON n.id = o.id
       WHERE n.captured_at IS DISTINCT FROM o.captured_at
         AND t.response_id = n.id AND t.captured_at = o.captured_at', v_table);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER avt_place_mentions_in_answer_month AFTER INSERT ON brand_mentions
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION avt_place_rows_in_answer_month();
CREATE OR REPLACE TRIGGER avt_place_citations_in_answer_month AFTER INSERT ON citations
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION avt_place_rows_in_answer_month();
CREATE OR REPLACE TRIGGER avt_place_discovered_in_answer_month AFTER INSERT ON discovered_competitors
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION avt_place_rows_in_answer_month();
CREATE OR REPLACE TRIGGER avt_keep_rows_with_answer_insert AFTER INSERT ON responses
REFERENCING NEW TABLE AS new_responses FOR EACH STATEMENT EXECUTE FUNCTION avt_keep_rows_with_answer();
CREATE OR REPLACE TRIGGER avt_keep_rows_with_answer_update AFTER UPDATE ON responses
REFERENCING OLD TABLE AS old_responses NEW TABLE AS new_responses
FOR EACH STATEMENT EXECUTE FUNCTION avt_keep_rows_with_answer();
