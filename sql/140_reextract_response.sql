-- `avt reextract`'s write for one stored answer, after the brand list changed: replaces its mentions, sets
-- the owners of its citations (citation_owners: [{"id", "brand_id"}], one per citation row) and, when given
-- (the LLM read it), its discovered competitors, and records how it was extracted. Writes nothing when the
-- mentions and owners come out as they are, and returns whether anything changed. The daily figures follow
-- through their triggers (sql/130).
--   mentions, discovered: the shapes of sql/042_result_rows.sql; discovered NULL: keep the stored ones.
CREATE OR REPLACE FUNCTION reextract_response(
  response_id bigint,
  captured_at timestamptz,
  mentions jsonb,
  citation_owners jsonb,
  discovered jsonb,
  extraction_method text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
  v_before jsonb;
  v_after jsonb;
  v_owners_changed boolean;
BEGIN
  SELECT coalesce(jsonb_agg(jsonb_build_array(m.brand_id, m.brand_name, m.position, m.mention_count, m.sentiment,
                                              m.recommended, m.snippet) ORDER BY m.position, m.brand_name), '[]')
  INTO v_before
  FROM brand_mentions m WHERE m.response_id = reextract_response.response_id;
  SELECT coalesce(jsonb_agg(jsonb_build_array(n.brand_id, n.brand_name, n.position, coalesce(n.mention_count, 1),
                                              n.sentiment, n.recommended, n.snippet) ORDER BY n.position, n.brand_name),
                  '[]')
  INTO v_after
  FROM jsonb_to_recordset(coalesce(reextract_response.mentions, '[]')) AS n (
    brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
    recommended boolean, snippet text);

  UPDATE citations c SET brand_id = o.brand_id
  FROM jsonb_to_recordset(coalesce(reextract_response.citation_owners, '[]')) AS o (id bigint, brand_id bigint)
  WHERE c.id = o.id AND c.response_id = reextract_response.response_id
    AND c.brand_id IS DISTINCT FROM o.brand_id;
  v_owners_changed := FOUND;

  IF v_before = v_after AND NOT v_owners_changed AND reextract_response.discovered IS NULL THEN
    RETURN false;
  END IF;
  IF v_before <> v_after THEN
    DELETE FROM brand_mentions m WHERE m.response_id = reextract_response.response_id;
    PERFORM avt_insert_mentions(reextract_response.response_id, reextract_response.captured_at, reextract_response.mentions);
  END IF;
  IF reextract_response.discovered IS NOT NULL THEN
    DELETE FROM discovered_competitors d WHERE d.response_id = reextract_response.response_id;
    PERFORM avt_insert_discovered(reextract_response.response_id, reextract_response.captured_at, reextract_response.discovered);
  END IF;
  UPDATE responses r SET extraction_method = reextract_response.extraction_method
  WHERE r.id = reextract_response.response_id AND r.captured_at = reextract_response.captured_at
    AND r.extraction_method IS DISTINCT FROM reextract_response.extraction_method;
  RETURN v_before <> v_after OR v_owners_changed;
END
$$;
