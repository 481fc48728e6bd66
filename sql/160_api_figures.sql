-- The figures of `avt serve` (src/serve/queries/figures.ts) over a window of UTC days, `since` to `until`
-- included, read from the daily figures (migrations/0006, kept by sql/130): their cost follows the window,
-- not the history kept, and an answer counts the moment its transaction commits. only_source, only_mode,
-- only_category and only_brand narrow them by name; NULL means all (the caller checks the names first: an
-- unknown name here matches nothing). The definitions are those of docs/numbers.md, recomputed over each
-- group asked for: counts are added up over the group's days and categories, then divided again.
--
-- Each is one SELECT in an sql function, so a caller's query inlines it and is planned with its values.

-- The first day of the period `day` falls in: the day itself, its ISO week's Monday, or its month's first
-- (grain 'day', 'week' or 'month'; NULL for another grain).
CREATE OR REPLACE FUNCTION avt_period_start(day date, grain text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE grain
           WHEN 'day' THEN day
           WHEN 'week' THEN date_trunc('week', day::timestamp)::date
           WHEN 'month' THEN date_trunc('month', day::timestamp)::date
         END
$$;

-- Per period × ai_source × capture_mode × tracked brand, for every (period, source, mode) with answers; every
-- row of `brands` (or only only_brand's) in each, with zeros when the group never mentions it.
--   answers n, mentioned k        added up over the group's days (and categories)
--   mention_rate, ci_low, ci_high k / n and its 95% Wilson interval (avt_wilson, sql/110)
--   share_of_voice                k / a, a = the group's answers that mention any tracked brand (NULL: a = 0)
--   avg_position                  the mean position over the k mentioning answers; NULL when k = 0
--   positive, neutral, negative, recommended   mentioning answers, as brand_visibility counts them
CREATE OR REPLACE FUNCTION avt_api_brand_figures(
  since date,
  until date,
  grain text,
  only_source text DEFAULT NULL,
  only_category text DEFAULT NULL,
  only_mode text DEFAULT NULL,
  only_brand text DEFAULT NULL
) RETURNS TABLE (
  period date,
  ai_source text,
  capture_mode text,
  brand_id bigint,
  brand text,
  is_own boolean,
  answers bigint,
  mentioned bigint,
  mention_rate double precision,
  ci_low double precision,
  ci_high double precision,
  share_of_voice double precision,
  avg_position double precision,
  positive bigint,
  neutral bigint,
  negative bigint,
  recommended bigint
)
LANGUAGE sql STABLE AS $$
  WITH answer_groups AS (
    -- daily_answers_key_idx: the window's days
    SELECT avt_period_start(d.day, grain) AS period, d.ai_source, d.capture_mode,
           sum(d.answers)::bigint AS answers,
           sum(d.answers_with_any_brand)::bigint AS answers_with_any_brand
    FROM daily_answers d
    WHERE d.day BETWEEN since AND until
      AND (only_source IS NULL OR d.ai_source = only_source)
      AND (only_mode IS NULL OR d.capture_mode = only_mode)
      AND (only_category IS NULL
           OR d.category_id = (SELECT c.id FROM categories c WHERE c.name = only_category))
    GROUP BY 1, 2, 3
    HAVING sum(d.answers) > 0
  ),
  mention_groups AS (
    -- daily_brand_mentions_key_idx: the window's days
    SELECT avt_period_start(m.day, grain) AS period, m.ai_source, m.capture_mode,
           m.brand_id,
           sum(m.mentioned)::bigint AS mentioned,
           sum(m.position_sum)::bigint AS position_sum,
           sum(m.positive)::bigint AS positive,
           sum(m.neutral)::bigint AS neutral,
           sum(m.negative)::bigint AS negative,
           sum(m.recommended)::bigint AS recommended
    FROM daily_brand_mentions m
    WHERE m.day BETWEEN since AND until
      AND (only_source IS NULL OR m.ai_source = only_source)
      AND (only_mode IS NULL OR m.capture_mode = only_mode)
      AND (only_category IS NULL
           OR m.category_id = (SELECT c.id FROM categories c WHERE c.name = only_category))
    GROUP BY 1, 2, 3, 4
  )
  SELECT g.period, g.ai_source, g.capture_mode, b.id, b.name, b.is_own,
         g.answers,
         coalesce(m.mentioned, 0),
         w.rate, w.low, w.high,
         CASE WHEN g.answers_with_any_brand > 0
              THEN coalesce(m.mentioned, 0)::double precision / g.answers_with_any_brand END,
         CASE WHEN m.mentioned > 0 THEN m.position_sum::double precision / m.mentioned END,
         coalesce(m.positive, 0), coalesce(m.neutral, 0), coalesce(m.negative, 0), coalesce(m.recommended, 0)
  FROM answer_groups g
  CROSS JOIN brands b
  LEFT JOIN mention_groups m
         ON m.period = g.period AND m.ai_source = g.ai_source AND m.capture_mode = g.capture_mode
        AND m.brand_id = b.id
  CROSS JOIN LATERAL avt_wilson(coalesce(m.mentioned, 0), g.answers) w
  WHERE only_brand IS NULL OR b.name = only_brand
  ORDER BY g.period, g.ai_source, g.capture_mode, b.id
$$;

-- The cited domains of the window, most cited first: per domain its citation rows (citations), the answers
-- citing it (answers_citing: once per answer), and share = its citations / all citations in the window (of
-- the source and mode asked for). The owner is the one its citations recorded (citations.brand_id): the
-- non-NULL one, and between two brands the highest id, as citation_domains. only_brand: its domains.
CREATE OR REPLACE FUNCTION avt_api_cited_domains(
  since date,
  until date,
  only_source text DEFAULT NULL,
  only_mode text DEFAULT NULL,
  only_brand text DEFAULT NULL,
  max_rows integer DEFAULT 20
) RETURNS TABLE (
  domain text,
  brand_id bigint,
  brand text,
  is_own boolean,
  citations bigint,
  answers_citing bigint,
  share double precision
)
LANGUAGE sql STABLE AS $$
  WITH per_owner AS (
    -- daily_cited_domains_key_idx: the window's days
    SELECT x.domain, x.brand_id, sum(x.citations)::bigint AS citations,
           sum(x.answers_citing)::bigint AS answers_citing
    FROM daily_cited_domains x
    WHERE x.day BETWEEN since AND until
      AND (only_source IS NULL OR x.ai_source = only_source)
      AND (only_mode IS NULL OR x.capture_mode = only_mode)
    GROUP BY x.domain, x.brand_id
  ),
  per_domain AS (
    SELECT o.domain,
           max(o.brand_id) FILTER (WHERE o.citations > 0) AS brand_id,
           sum(o.citations)::bigint AS citations,
           sum(o.answers_citing)::bigint AS answers_citing
    FROM per_owner o
    GROUP BY o.domain
    HAVING sum(o.citations) > 0
  ),
  total AS (
    SELECT sum(d.citations)::double precision AS citations FROM per_domain d
  )
  SELECT d.domain, d.brand_id, b.name, b.is_own, d.citations, d.answers_citing, d.citations / t.citations
  FROM per_domain d
  CROSS JOIN total t
  LEFT JOIN brands b ON b.id = d.brand_id
  WHERE only_brand IS NULL OR b.name = only_brand
  ORDER BY d.citations DESC, d.domain
  LIMIT max_rows
$$;

-- Every tracked brand (or only only_brand) with its citations in the window: citation rows whose
-- citations.brand_id is the brand (its domains and their subdomains), and the answers citing it (once each).
CREATE OR REPLACE FUNCTION avt_api_brand_citations(
  since date,
  until date,
  only_source text DEFAULT NULL,
  only_mode text DEFAULT NULL,
  only_brand text DEFAULT NULL
) RETURNS TABLE (
  brand_id bigint,
  brand text,
  is_own boolean,
  citations bigint,
  answers_citing bigint
)
LANGUAGE sql STABLE AS $$
  WITH cited AS (
    -- daily_brand_citations_key_idx: the window's days
    SELECT x.brand_id, sum(x.citations)::bigint AS citations, sum(x.answers_citing)::bigint AS answers_citing
    FROM daily_brand_citations x
    WHERE x.day BETWEEN since AND until
      AND (only_source IS NULL OR x.ai_source = only_source)
      AND (only_mode IS NULL OR x.capture_mode = only_mode)
    GROUP BY x.brand_id
  )
  SELECT b.id, b.name, b.is_own, coalesce(c.citations, 0), coalesce(c.answers_citing, 0)
  FROM brands b
  LEFT JOIN cited c ON c.brand_id = b.id
  WHERE only_brand IS NULL OR b.name = only_brand
  ORDER BY coalesce(c.citations, 0) DESC, b.name
$$;

-- The untracked brands the answers of the window named (discovered_competitors), most named first: one row
-- per name, case ignored (shown as its most frequent spelling); answers = the answers naming it, each once,
-- split by the sentiment recorded with it; first_seen and last_seen = the first and last of those answers.
-- only_brand: only answers that mention that tracked brand. Every table is bounded by the window on
-- captured_at (the answer's, which each row carries), so only the window's month partitions are read.
CREATE OR REPLACE FUNCTION avt_api_discovered_competitors(
  since date,
  until date,
  only_source text DEFAULT NULL,
  only_category text DEFAULT NULL,
  only_mode text DEFAULT NULL,
  only_brand text DEFAULT NULL,
  max_rows integer DEFAULT 50
) RETURNS TABLE (
  name text,
  answers bigint,
  positive bigint,
  neutral bigint,
  negative bigint,
  first_seen timestamptz,
  last_seen timestamptz
)
LANGUAGE sql STABLE AS $$
  SELECT mode() WITHIN GROUP (ORDER BY d.name),
         count(DISTINCT d.response_id),
         count(DISTINCT d.response_id) FILTER (WHERE d.sentiment = 'positive'),
         count(DISTINCT d.response_id) FILTER (WHERE d.sentiment = 'neutral'),
         count(DISTINCT d.response_id) FILTER (WHERE d.sentiment = 'negative'),
         min(d.captured_at),
         max(d.captured_at)
  FROM discovered_competitors d
  WHERE d.captured_at >= since::timestamp AT TIME ZONE 'UTC'
    AND d.captured_at < (until + 1)::timestamp AT TIME ZONE 'UTC'
    -- Its answer is read only when a filter needs it (the condition folds away when none is given).
    AND (only_source IS NULL AND only_mode IS NULL AND only_category IS NULL OR EXISTS (
           SELECT 1
           FROM responses r
           LEFT JOIN prompts p ON p.id = r.prompt_id
           WHERE r.id = d.response_id AND r.captured_at = d.captured_at
             AND r.captured_at >= since::timestamp AT TIME ZONE 'UTC'
             AND r.captured_at < (until + 1)::timestamp AT TIME ZONE 'UTC'
             AND (only_source IS NULL OR r.ai_source = only_source)
             AND (only_mode IS NULL OR r.capture_mode = only_mode)
             AND (only_category IS NULL
                  OR p.category_id = (SELECT c.id FROM categories c WHERE c.name = only_category))))
    AND (only_brand IS NULL OR EXISTS (
           SELECT 1
           FROM brand_mentions m
           WHERE m.response_id = d.response_id AND m.captured_at = d.captured_at
             -- the window again: should this be planned as one hashed look-up, it reads the window only
             AND m.captured_at >= since::timestamp AT TIME ZONE 'UTC'
             AND m.captured_at < (until + 1)::timestamp AT TIME ZONE 'UTC'
             AND m.brand_id = (SELECT b.id FROM brands b WHERE b.name = only_brand)))
  GROUP BY lower(d.name)
  ORDER BY 2 DESC, 1
  LIMIT max_rows
$$;
