-- commitResult in one statement: marks the run done (lease checked first, the run row locked) and writes its
-- response, brand mentions, citations and discovered competitors (and, when asked, enqueues `reextract`),
-- all in the caller's transaction. Returns the new response id, or
-- NULL, writing nothing, when the caller's lease no longer holds.
--   response:  {"answer_text", "answer_html", "model", "capture_mode", "captured_at", "duration_ms",
--               "extraction_method", "reextract"}
--              reextract: true enqueues the graphile-worker job `reextract` for this response in the same
--              transaction (the rules stood in for the LLM; the LLM goes over it again once it is healthy).
--   mentions:  [{"brand_id", "brand_name", "position", "mention_count", "sentiment", "recommended", "snippet"}]
--   citations: [{"position", "url", "domain", "title", "brand_id", "quote"}]
--   discovered: [{"name", "sentiment"}] (untracked brands the answer names)
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
#variable_conflict use_column
DECLARE
  v_run prompt_runs%ROWTYPE;
  v_response_id bigint;
  v_captured_at timestamptz;
BEGIN
  v_run := avt_complete_run(commit_prompt_run_result.run_id, commit_prompt_run_result.lease_token);
  IF v_run.id IS NULL THEN
    RETURN NULL;
  END IF;

  INSERT INTO responses (run_id, prompt_id, ai_source, capture_mode, answer_text, answer_html, model,
                         captured_at, duration_ms, extraction_method)
  SELECT v_run.id, v_run.prompt_id, v_run.ai_source, coalesce(x.capture_mode, 'ui'), x.answer_text, x.answer_html,
         x.model, coalesce(x.captured_at, now()), x.duration_ms, coalesce(x.extraction_method, 'rules')
  FROM jsonb_to_record(commit_prompt_run_result.response) AS x (
    capture_mode text, answer_text text, answer_html text, model text, captured_at timestamptz,
    duration_ms integer, extraction_method text)
  RETURNING id, captured_at INTO v_response_id, v_captured_at;

  IF jsonb_array_length(coalesce(commit_prompt_run_result.mentions, '[]')) > 0 THEN
    PERFORM avt_insert_mentions(v_response_id, commit_prompt_run_result.mentions);
  END IF;

  IF jsonb_array_length(coalesce(commit_prompt_run_result.citations, '[]')) > 0 THEN
  INSERT INTO citations (response_id, position, url, domain, title, brand_id, quote)
  SELECT v_response_id, c.position, c.url, c.domain, c.title, c.brand_id, c.quote
  FROM jsonb_to_recordset(coalesce(commit_prompt_run_result.citations, '[]')) AS c (
    position integer, url text, domain text, title text, brand_id bigint, quote text);
  END IF;

  IF jsonb_array_length(coalesce(commit_prompt_run_result.discovered, '[]')) > 0 THEN
    PERFORM avt_insert_discovered(v_response_id, commit_prompt_run_result.discovered);
  END IF;

  IF coalesce((commit_prompt_run_result.response ->> 'reextract')::boolean, false) THEN
    PERFORM graphile_worker.add_job(
      'reextract',
      json_build_object('response_id', v_response_id, 'captured_at', v_captured_at),
      job_key => 'reextract:' || v_response_id,
      max_attempts => 25
    );
  END IF;

  RETURN v_response_id;
END
$$;
