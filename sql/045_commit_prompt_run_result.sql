-- commitResult in one statement, for one run or several: marks each run done (its lease checked first, its
-- row locked) and writes its response, brand mentions, citations and discovered competitors (and, when
-- asked, enqueues `reextract`), all in the caller's transaction. A run whose lease no longer holds gets a
-- NULL response id and writes nothing; the others are committed all the same.
--   results: [{"run_id", "lease_token", "response", "mentions", "citations", "discovered"}], each run once
--   response:  {"answer_text", "answer_html", "model", "capture_mode", "captured_at", "duration_ms",
--               "extraction_method", "reextract"}
--              reextract: true enqueues the graphile-worker job `reextract` for this response in the same
--              transaction (the rules stood in for the LLM; the LLM goes over it again once it is healthy).
--   mentions, citations, discovered: the shapes of sql/042_result_rows.sql ([] or absent for none)
-- Rows come back in the order of `results`. A worker process commits the results of the jobs that finish
-- together with one call: the run, attempt and response writes are one statement each for all of them.
CREATE OR REPLACE FUNCTION commit_prompt_run_results(results jsonb)
RETURNS TABLE (run_id bigint, response_id bigint)
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_worker (sql/900_roles.sql)
-- A cached plan: left to choose, the plan cache planned the statement below afresh on every call.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_saved record;
  v_twice text;
  v_mentions jsonb := '[]';
  v_citations jsonb := '[]';
BEGIN
  IF jsonb_typeof(commit_prompt_run_results.results) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'commit_prompt_run_results: results must be a JSON array, got %',
      coalesce(jsonb_typeof(commit_prompt_run_results.results), 'NULL')
      USING ERRCODE = '22023';
  END IF;

  IF jsonb_array_length(commit_prompt_run_results.results) > 1 THEN
    SELECT e.item ->> 'run_id' INTO v_twice
    FROM jsonb_array_elements(commit_prompt_run_results.results) AS e (item)
    GROUP BY e.item ->> 'run_id'
    HAVING count(*) > 1
    LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'commit_prompt_run_results: run % appears more than once in results', v_twice
        USING ERRCODE = '22023', HINT = 'commit each run once';
    END IF;
  END IF;

  FOR v_saved IN
    WITH input AS (
      SELECT e.n, x.run_id, x.lease_token, x.response, x.mentions, x.citations, x.discovered
      FROM jsonb_array_elements(commit_prompt_run_results.results) WITH ORDINALITY AS e (item, n),
           jsonb_to_record(e.item) AS x (
             run_id bigint, lease_token uuid, response jsonb, mentions jsonb, citations jsonb, discovered jsonb)
    ), done AS MATERIALIZED (
      SELECT d.id, d.prompt_id, d.ai_source
      FROM avt_complete_runs(ARRAY(SELECT i.run_id FROM input i), ARRAY(SELECT i.lease_token FROM input i)) d
    ), saved AS (
      INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, answer_html, model,
                             captured_at, duration_ms, extraction_method)
      SELECT d.id, d.prompt_id, d.ai_source, coalesce(x.capture_mode, 'ui'), x.answer_text, x.answer_html,
             x.model, coalesce(x.captured_at, now()), x.duration_ms, coalesce(x.extraction_method, 'rules')
      FROM done d
      JOIN input i ON i.run_id = d.id,
           jsonb_to_record(i.response) AS x (
             capture_mode text, answer_text text, answer_html text, model text, captured_at timestamptz,
             duration_ms integer, extraction_method text)
      RETURNING id, run_id, captured_at
    )
    SELECT i.n, i.run_id, i.lease_token, s.id AS response_id, s.captured_at, i.response, i.mentions, i.citations,
           i.discovered
    FROM input i
    LEFT JOIN saved s ON s.run_id = i.run_id
    ORDER BY i.n
  LOOP
    IF v_saved.run_id IS NULL OR v_saved.lease_token IS NULL THEN
      RAISE EXCEPTION 'commit_prompt_run_results: result % has no run_id or no lease_token', v_saved.n
        USING ERRCODE = '22004';
    END IF;
    IF v_saved.response_id IS NOT NULL THEN
      IF jsonb_array_length(coalesce(v_saved.mentions, '[]')) > 0 THEN
        v_mentions := v_mentions || jsonb_build_object('response_id', v_saved.response_id,
                                                'captured_at', v_saved.captured_at, 'rows', v_saved.mentions);
      END IF;
      IF jsonb_array_length(coalesce(v_saved.citations, '[]')) > 0 THEN
        v_citations := v_citations || jsonb_build_object('response_id', v_saved.response_id,
                                                  'captured_at', v_saved.captured_at, 'rows', v_saved.citations);
      END IF;
      IF jsonb_array_length(coalesce(v_saved.discovered, '[]')) > 0 THEN
        PERFORM avt_insert_discovered(v_saved.response_id, v_saved.captured_at, v_saved.discovered);
      END IF;
      IF coalesce((v_saved.response ->> 'reextract')::boolean, false) THEN
        PERFORM graphile_worker.add_job(
          'reextract',
          json_build_object('response_id', v_saved.response_id, 'captured_at', v_saved.captured_at),
          job_key => 'reextract:' || v_saved.response_id,
          max_attempts => 25
        );
      END IF;
    END IF;
    run_id := v_saved.run_id;
    response_id := v_saved.response_id;
    RETURN NEXT;
  END LOOP;
  -- The batch's mentions, then its citations, as one statement each: the daily figures' triggers
  -- (sql/130) run once per batch rather than once per answer.
  IF jsonb_array_length(v_mentions) > 0 THEN
    PERFORM avt_insert_mentions_of(v_mentions);
  END IF;
  IF jsonb_array_length(v_citations) > 0 THEN
    PERFORM avt_insert_citations_of(v_citations);
  END IF;
END
$$;

-- One run's commit_prompt_run_results: the response id, or NULL, writing nothing, when the caller's lease
-- no longer holds.
DROP FUNCTION IF EXISTS commit_prompt_run_result(bigint, uuid, jsonb, jsonb, jsonb);
CREATE OR REPLACE FUNCTION commit_prompt_run_result(
  run_id bigint,
  lease_token uuid,
  response jsonb,
  mentions jsonb DEFAULT '[]',
  citations jsonb DEFAULT '[]',
  discovered jsonb DEFAULT '[]'
) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN (
    SELECT c.response_id
    FROM commit_prompt_run_results(jsonb_build_array(jsonb_build_object(
      'run_id', commit_prompt_run_result.run_id,
      'lease_token', commit_prompt_run_result.lease_token,
      'response', commit_prompt_run_result.response,
      'mentions', commit_prompt_run_result.mentions,
      'citations', commit_prompt_run_result.citations,
      'discovered', commit_prompt_run_result.discovered
    ))) c
  );
END
$$;
