-- The rows an extraction adds to a response, shared by commit_prompt_run_results (a job's result) and
-- apply_reextraction (the LLM's second look). Both take the JSON shape commitResult writes. Each row gets its
-- response's captured_at, which puts it in its answer's month (sql/070).
--   mentions:   [{"brand_id", "brand_name", "position", "mention_count", "sentiment", "recommended", "snippet"}]
--   citations:  [{"position", "url", "domain", "title", "brand_id", "quote"}]
--   discovered: [{"name", "sentiment"}]
DROP FUNCTION IF EXISTS avt_insert_mentions(bigint, jsonb);
CREATE OR REPLACE FUNCTION avt_insert_mentions(response_id bigint, captured_at timestamptz, mentions jsonb)
RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                              snippet, captured_at)
  SELECT avt_insert_mentions.response_id, m.brand_id, m.brand_name, m.position, coalesce(m.mention_count, 1),
         m.sentiment, m.recommended, m.snippet, avt_insert_mentions.captured_at
  FROM jsonb_to_recordset(coalesce(avt_insert_mentions.mentions, '[]')) AS m (
    brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
    recommended boolean, snippet text);
$$;

-- Several responses' mentions in one statement: [{"response_id", "captured_at", "rows": <mentions as above>}].
CREATE OR REPLACE FUNCTION avt_insert_mentions_of(sets jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO brand_mentions (response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                              snippet, captured_at)
  SELECT (s.item ->> 'response_id')::bigint, m.brand_id, m.brand_name, m.position, coalesce(m.mention_count, 1),
         m.sentiment, m.recommended, m.snippet, (s.item ->> 'captured_at')::timestamptz
  FROM jsonb_array_elements(avt_insert_mentions_of.sets) AS s (item),
       jsonb_to_recordset(s.item -> 'rows') AS m (
         brand_id bigint, brand_name text, position integer, mention_count integer, sentiment text,
         recommended boolean, snippet text);
$$;

-- Several responses' citations in one statement: [{"response_id", "captured_at", "rows": <citations as above>}].
CREATE OR REPLACE FUNCTION avt_insert_citations_of(sets jsonb) RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO citations (response_id, position, url, domain, title, brand_id, quote, captured_at)
  SELECT (s.item ->> 'response_id')::bigint, c.position, c.url, c.domain, c.title, c.brand_id, c.quote,
         (s.item ->> 'captured_at')::timestamptz
  FROM jsonb_array_elements(avt_insert_citations_of.sets) AS s (item),
       jsonb_to_recordset(s.item -> 'rows') AS c (
         position integer, url text, domain text, title text, brand_id bigint, quote text);
$$;

DROP FUNCTION IF EXISTS avt_insert_discovered(bigint, jsonb);
CREATE OR REPLACE FUNCTION avt_insert_discovered(response_id bigint, captured_at timestamptz, discovered jsonb)
RETURNS void
LANGUAGE sql VOLATILE AS $$
  INSERT INTO discovered_competitors (response_id, name, sentiment, captured_at)
  SELECT avt_insert_discovered.response_id, d.name, d.sentiment, avt_insert_discovered.captured_at
  FROM jsonb_to_recordset(coalesce(avt_insert_discovered.discovered, '[]')) AS d (name text, sentiment text);
$$;

-- Replaced by avt_insert_citations_of (a batch's citations in one statement).
DROP FUNCTION IF EXISTS avt_insert_citations(bigint, jsonb);
