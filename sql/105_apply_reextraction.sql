-- The `reextract` task's write: replaces a response's brand mentions and discovered competitors with the
-- LLM's extraction and marks it extracted by 'llm', in one statement. Does nothing (returns false) when the
-- response is gone or was re-extracted already, so a job retried after a crash cannot apply twice.
-- mentions and discovered: the shapes of sql/042_result_rows.sql.
CREATE OR REPLACE FUNCTION apply_reextraction(
  response_id bigint,
  captured_at timestamptz,
  mentions jsonb,
  discovered jsonb DEFAULT '[]'
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  UPDATE responses r SET extraction_method = 'llm'
  WHERE r.id = apply_reextraction.response_id
    AND r.captured_at = apply_reextraction.captured_at
    AND r.extraction_method = 'rules';
  IF NOT FOUND THEN
    RETURN false;
  END IF;

  DELETE FROM brand_mentions m WHERE m.response_id = apply_reextraction.response_id;
  PERFORM avt_insert_mentions(apply_reextraction.response_id, apply_reextraction.captured_at, apply_reextraction.mentions);
  DELETE FROM discovered_competitors d WHERE d.response_id = apply_reextraction.response_id;
  PERFORM avt_insert_discovered(apply_reextraction.response_id, apply_reextraction.captured_at, apply_reextraction.discovered);
  RETURN true;
END
$$;
