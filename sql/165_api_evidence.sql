-- The answers behind a figure, for `avt serve` (src/serve/queries/evidence.ts): newest first, a page at a
-- time, each with its prompt, category, brand mentions and citations.

-- `value` as a LIKE pattern that matches it literally: its \, % and _ escaped (LIKE's escape is \).
CREATE OR REPLACE FUNCTION avt_like_literal(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_')
$$;

-- The answers captured on the UTC days `since` to `until` (included), ordered by (captured_at, id)
-- descending, at most max_rows of them, starting after (before_at, before_id) when given (the last row of
-- the previous page: keyset paging, stable under new answers). Narrowed by only_source, only_mode,
-- only_category (names), only_brand (answers that mention that tracked brand) and search (answers whose
-- text contains it, case ignored, % and _ taken literally); NULL: not narrowed.
--   mentions   [{brand_id, brand, position, mention_count, snippet, sentiment, recommended}] by position;
--              brand is the tracked brand's name, or the name the answer used when it is not tracked
--   citations  [{position, url, domain, title, brand}] by position; brand: the domain's tracked owner
-- captured_at bounds every table read (each mention and citation carries its answer's), so only the
-- window's month partitions are read. With an index on responses (captured_at, id), a page is an index
-- walk from the cursor down that stops after max_rows matches. Measured at 1 M answers over 30 days, a page
-- of 50: 425 ms without that index (the window read and sorted), 3 ms with it; with only_brand 45 ms (7
-- days) to 320 ms (30 days); a search for a rare text reads the whole window (4 s) unless answer_text has
-- a pg_trgm GIN index (10 ms).
CREATE OR REPLACE FUNCTION avt_api_answers(
  since date,
  until date,
  only_source text DEFAULT NULL,
  only_category text DEFAULT NULL,
  only_mode text DEFAULT NULL,
  only_brand text DEFAULT NULL,
  search text DEFAULT NULL,
  before_at timestamptz DEFAULT NULL,
  before_id bigint DEFAULT NULL,
  max_rows integer DEFAULT 50
) RETURNS TABLE (
  id bigint,
  captured_at timestamptz,
  ai_source text,
  capture_mode text,
  prompt text,
  category text,
  answer_text text,
  extraction_method text,
  mentions json,
  citations json
)
LANGUAGE sql STABLE AS $$
  SELECT a.id, a.captured_at, a.ai_source, a.capture_mode, a.prompt, a.category, a.answer_text,
         a.extraction_method,
         (SELECT coalesce(json_agg(json_build_object(
                    'brand_id', m.brand_id, 'brand', coalesce(b.name, m.brand_name), 'position', m.position,
                    'mention_count', m.mention_count, 'snippet', m.snippet, 'sentiment', m.sentiment,
                    'recommended', m.recommended) ORDER BY m.position, m.id), '[]')
          FROM brand_mentions m
          LEFT JOIN brands b ON b.id = m.brand_id
          WHERE m.response_id = a.id AND m.captured_at = a.captured_at),
         (SELECT coalesce(json_agg(json_build_object(
                    'position', c.position, 'url', c.url, 'domain', c.domain, 'title', c.title,
                    'brand', b.name) ORDER BY c.position, c.id), '[]')
          FROM citations c
          LEFT JOIN brands b ON b.id = c.brand_id
          WHERE c.response_id = a.id AND c.captured_at = a.captured_at)
  FROM (
    SELECT r.id, r.captured_at, r.ai_source, r.capture_mode, p.text AS prompt, k.name AS category,
           r.answer_text, r.extraction_method
    FROM responses r
    LEFT JOIN prompts p ON p.id = r.prompt_id
    LEFT JOIN categories k ON k.id = p.category_id
    WHERE r.captured_at >= since::timestamp AT TIME ZONE 'UTC'
      AND r.captured_at < (until + 1)::timestamp AT TIME ZONE 'UTC'
      AND (before_at IS NULL OR r.captured_at <= before_at)
      AND (before_at IS NULL OR (r.captured_at, r.id) < (before_at, before_id))
      AND (only_source IS NULL OR r.ai_source = only_source)
      AND (only_mode IS NULL OR r.capture_mode = only_mode)
      AND (only_category IS NULL OR k.name = only_category)
      AND (only_brand IS NULL OR EXISTS (
             SELECT 1
             FROM brand_mentions m
             WHERE m.response_id = r.id AND m.captured_at = r.captured_at
               -- the window again: should this be planned as one hashed look-up, it reads the window only
               AND m.captured_at >= since::timestamp AT TIME ZONE 'UTC'
               AND m.captured_at < (until + 1)::timestamp AT TIME ZONE 'UTC'
               AND m.brand_id = (SELECT b.id FROM brands b WHERE b.name = only_brand)))
      AND (search IS NULL OR r.answer_text ILIKE '%' || avt_like_literal(search) || '%')
    ORDER BY r.captured_at DESC, r.id DESC
    LIMIT max_rows
  ) a
  ORDER BY a.captured_at DESC, a.id DESC
$$;
