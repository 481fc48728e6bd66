-- The rows an extraction adds to a response, shared by commit_prompt_run_results (a job's result) and
-- apply_reextraction (the LLM's second look). Both take the JSON shape commitResult writes.
--   mentions:   [{"brand_id", "brand_name", "position", "mention_count", "sentiment", "recommended", "snippet"}]
--   citations:  [{"position", "url", "domain", "title", "brand_id", "quote"}]
--   discovered: [{"name", "sentiment"}]
CREATE OR REPLACE FUNCTION avt_insert_mentions(response_id bigint, mentions jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                              snippet)
  SELECT avt_insert_mentions.response_id, m.brand_id, m.brand_name, m.position, coalesce(m.mention_count, 1),
         m.sentiment, m.recommended, m.snippet
  FROM jsonb_to_recordset(coalesce(avt_insert_mentions.mentions, '[]')) AS m (
    brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
    recommended boolean, snippet text);
$$;

-- Several responses' mentions in one statement: [{"response_id", "rows": <mentions as above>}].
CREATE OR REPLACE FUNCTION avt_insert_mentions_of(sets jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                              snippet)
  SELECT (s.item ->> 'response_id')::bigint, m.brand_id, m.brand_name, m.position, coalesce(m.mention_count, 1),
         m.sentiment, m.recommended, m.snippet
  FROM jsonb_array_elements(avt_insert_mentions_of.sets) AS s (item),
       jsonb_to_recordset(s.item -> 'rows') AS m (
         brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
         recommended boolean, snippet text);
$$;

-- Several responses' citations in one statement: [{"response_id", "rows": <citations as above>}].
CREATE OR REPLACE FUNCTION avt_insert_citations_of(sets jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO citations (response_id, position, url, domain, title, brand_id, quote)
  SELECT (s.item ->> 'response_id')::bigint, c.position, c.url, c.domain, c.title, c.brand_id, c.quote
  FROM jsonb_array_elements(avt_insert_citations_of.sets) AS s (item),
       jsonb_to_recordset(s.item -> 'rows') AS c (
         position integer, url text, domain text, title text, brand_id bigint, quote text);
$$;

CREATE OR REPLACE FUNCTION avt_insert_discovered(response_id bigint, discovered jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO discovered_competitors (response_id, name, sentiment)
  SELECT avt_insert_discovered.response_id, d.name, d.sentiment
  FROM jsonb_to_recordset(coalesce(avt_insert_discovered.discovered, '[]')) AS d (name text, sentiment text);
$$;

-- Replaced by avt_insert_citations_of (a batch's citations in one statement).
DROP FUNCTION IF EXISTS avt_insert_citations(bigint, jsonb);
