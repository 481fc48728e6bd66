-- The `reextract` task's write: replaces a response's brand mentions and discovered competitors with the
-- LLM's extraction and marks it extracted by 'llm', in one statement. Does nothing (returns false) when the
-- response is gone or was re-extracted already, so a job retried after a crash cannot apply twice.
--   mentions:   [{"brand_id", "brand_name", "position", "mention_count", "sentiment", "recommended", "snippet"}]
--   discovered: [{"name", "sentiment"}]
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
  INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                              snippet)
  SELECT apply_reextraction.response_id, m.brand_id, m.brand_name, m.position, coalesce(m.mention_count, 1),
         m.sentiment, m.recommended, m.snippet
  FROM jsonb_to_recordset(coalesce(apply_reextraction.mentions, '[]')) AS m (
    brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
    recommended boolean, snippet text);

  DELETE FROM discovered_competitors d WHERE d.response_id = apply_reextraction.response_id;
  INSERT INTO discovered_competitors (response_id, name, sentiment)
  SELECT apply_reextraction.response_id, d.name, d.sentiment
  FROM jsonb_to_recordset(coalesce(apply_reextraction.discovered, '[]')) AS d (name text, sentiment text);

  RETURN true;
END
$$;
