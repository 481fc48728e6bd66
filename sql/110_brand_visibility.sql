-- brand_visibility: how visible each tracked brand is in the answers, one row per
--   day × ai_source × capture_mode × category × tracked brand
-- for every (day, ai_source, capture_mode, category) that has answers; every row of `brands` appears in each
-- such group, with zeros when the group never mentions it.
--
--   day                     (responses.captured_at AT TIME ZONE 'UTC')::date
--   category                categories.name of the response's prompt; NULL when it has none (or is gone)
--   answers          n    = responses in the group
--   mentioned        k    = responses in the group that mention the brand (brand_mentions.brand_id = brand)
--   mention_rate     p    = k / n
--   mention_rate_low/high = 95% Wilson score interval of p, z = 1.959963984540054:
--                            centre ± half, centre = (p + z²/2n) / (1 + z²/n),
--                            half = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)
--                          (exactly 0 when k = 0 and exactly 1 when k = n, where the formula is 0 or 1 anyway)
--   avg_position          = mean of brand_mentions.position over the k mentioning responses; NULL when k = 0
--   answers_with_any_brand a = responses in the group that mention at least one tracked brand
--   share_of_voice        = k / a; NULL when a = 0
--   positive, neutral, negative, sentiment_unknown
--                         = the k mentioning responses split by the mention's sentiment (unknown: NULL
--                           sentiment, e.g. extracted by rules); the four add up to k
--   recommended           = mentioning responses whose mention has recommended = true
--
-- A mention with brand_id NULL (an untracked name, or a brand since deleted) counts nowhere. Should an answer
-- hold two rows for the same brand, it still counts once: its row with the lowest position (then lowest id)
-- stands for the mention.
--
-- brand_visibility reads the daily figures (migrations/0006, kept by sql/130): its cost follows the days asked
-- for, not the history kept, and it still counts an answer the moment its transaction commits.
-- brand_visibility_recomputed is the same definition computed from the answers themselves: slow, and what
-- the tests and bench/numbers.ts check brand_visibility against.
--
-- Dropped and created rather than replaced, so the column list can change in a later version (CREATE OR
-- REPLACE VIEW cannot drop, rename or retype a column). A view built on this one must be dropped first.
DROP VIEW IF EXISTS brand_visibility;
DROP VIEW IF EXISTS brand_visibility_recomputed;

-- k of n as a rate with its 95% Wilson score interval, as defined above (exactly 0 and 1 at the ends).
CREATE OR REPLACE FUNCTION avt_wilson(k bigint, n bigint)
RETURNS TABLE (rate double precision, low double precision, high double precision)
LANGUAGE sql IMMUTABLE AS $$
  SELECT s.p,
         CASE WHEN k = 0 THEN 0::double precision
              ELSE (s.p + s.z * s.z / (2 * s.n)) / (1 + s.z * s.z / s.n)
                   - s.z / (1 + s.z * s.z / s.n) * sqrt(s.p * (1 - s.p) / s.n + s.z * s.z / (4 * s.n * s.n)) END,
         CASE WHEN k = n THEN 1::double precision
              ELSE (s.p + s.z * s.z / (2 * s.n)) / (1 + s.z * s.z / s.n)
                   + s.z / (1 + s.z * s.z / s.n) * sqrt(s.p * (1 - s.p) / s.n + s.z * s.z / (4 * s.n * s.n)) END
  FROM (SELECT k::double precision / n AS p, n::double precision AS n, 1.959963984540054::double precision AS z) s
$$;

CREATE VIEW brand_visibility AS
WITH groups AS (
  SELECT d.day, d.ai_source, d.capture_mode, d.category_id,
         sum(d.answers)::bigint AS answers,
         sum(d.answers_with_any_brand)::bigint AS answers_with_any_brand
  FROM daily_answers d
  GROUP BY d.day, d.ai_source, d.capture_mode, d.category_id
  HAVING sum(d.answers) > 0
),
-- Every tracked brand in every group that has answers, its counts zero when it was not mentioned.
group_and_brand AS (
  SELECT g.day, g.ai_source, g.capture_mode, c.name AS category,
         b.id AS brand_id, b.name AS brand, b.is_own,
         g.answers,
         coalesce(m.mentioned, 0) AS mentioned,
         CASE WHEN m.mentioned > 0 THEN m.position_sum::double precision / m.mentioned END AS avg_position,
         g.answers_with_any_brand,
         coalesce(m.positive, 0) AS positive,
         coalesce(m.neutral, 0) AS neutral,
         coalesce(m.negative, 0) AS negative,
         coalesce(m.sentiment_unknown, 0) AS sentiment_unknown,
         coalesce(m.recommended, 0) AS recommended
  FROM groups g
  LEFT JOIN categories c ON c.id = g.category_id
  CROSS JOIN brands b
  -- daily_brand_mentions_key_idx, per group and brand
  CROSS JOIN LATERAL (
    SELECT sum(x.mentioned)::bigint AS mentioned, sum(x.position_sum)::bigint AS position_sum,
           sum(x.positive)::bigint AS positive, sum(x.neutral)::bigint AS neutral,
           sum(x.negative)::bigint AS negative, sum(x.sentiment_unknown)::bigint AS sentiment_unknown,
           sum(x.recommended)::bigint AS recommended
    FROM daily_brand_mentions x
    WHERE x.day = g.day AND x.ai_source = g.ai_source AND x.capture_mode = g.capture_mode
      AND x.category_id IS NOT DISTINCT FROM g.category_id AND x.brand_id = b.id
  ) m
)
SELECT gb.day, gb.ai_source, gb.capture_mode, gb.category, gb.brand_id, gb.brand, gb.is_own,
       gb.answers,
       gb.mentioned,
       w.rate AS mention_rate,
       w.low AS mention_rate_low,
       w.high AS mention_rate_high,
       gb.avg_position,
       gb.answers_with_any_brand,
       CASE WHEN gb.answers_with_any_brand > 0
            THEN gb.mentioned::double precision / gb.answers_with_any_brand END AS share_of_voice,
       gb.positive, gb.neutral, gb.negative, gb.sentiment_unknown,
       gb.recommended
FROM group_and_brand gb
CROSS JOIN LATERAL avt_wilson(gb.mentioned, gb.answers) w;

CREATE VIEW brand_visibility_recomputed AS
-- NOT MATERIALIZED: used twice below, and a filter on the view (a source, a category) must still reach
-- `responses` rather than wait for every answer to be read.
WITH answers AS NOT MATERIALIZED (
  SELECT r.id AS response_id,
         (r.captured_at AT TIME ZONE 'UTC')::date AS day,
         r.ai_source,
         r.capture_mode,
         c.name AS category
  FROM responses r
  LEFT JOIN prompts p ON p.id = r.prompt_id
  LEFT JOIN categories c ON c.id = p.category_id
),
answers_per_group AS (
  SELECT a.day, a.ai_source, a.capture_mode, a.category,
         count(*) AS answers,
         -- probes brand_mentions_response_idx once per answer
         count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM brand_mentions m WHERE m.response_id = a.response_id AND m.brand_id IS NOT NULL
         )) AS answers_with_any_brand
  FROM answers a
  GROUP BY a.day, a.ai_source, a.capture_mode, a.category
),
-- One row per (answer, brand), however many rows the extractor wrote for that brand in that answer.
mention_per_answer_and_brand AS (
  SELECT a.day, a.ai_source, a.capture_mode, a.category, a.response_id, m.brand_id,
         min(m.position) AS position,
         (array_agg(m.sentiment ORDER BY m.position, m.id))[1] AS sentiment,
         (array_agg(m.recommended ORDER BY m.position, m.id))[1] AS recommended
  FROM answers a
  JOIN brand_mentions m ON m.response_id = a.response_id
  WHERE m.brand_id IS NOT NULL
  GROUP BY a.day, a.ai_source, a.capture_mode, a.category, a.response_id, m.brand_id
),
mentions_per_group_and_brand AS (
  SELECT day, ai_source, capture_mode, category, brand_id,
         count(*) AS mentioned,
         avg(position::double precision) AS avg_position,
         count(*) FILTER (WHERE sentiment = 'positive') AS positive,
         count(*) FILTER (WHERE sentiment = 'neutral') AS neutral,
         count(*) FILTER (WHERE sentiment = 'negative') AS negative,
         count(*) FILTER (WHERE sentiment IS NULL) AS sentiment_unknown,
         count(*) FILTER (WHERE recommended) AS recommended
  FROM mention_per_answer_and_brand
  GROUP BY day, ai_source, capture_mode, category, brand_id
),
-- Every tracked brand in every group that has answers, its counts zero when it was not mentioned.
group_and_brand AS (
  SELECT g.day, g.ai_source, g.capture_mode, g.category,
         b.id AS brand_id, b.name AS brand, b.is_own,
         g.answers,
         coalesce(mg.mentioned, 0) AS mentioned,
         mg.avg_position,
         g.answers_with_any_brand,
         coalesce(mg.positive, 0) AS positive,
         coalesce(mg.neutral, 0) AS neutral,
         coalesce(mg.negative, 0) AS negative,
         coalesce(mg.sentiment_unknown, 0) AS sentiment_unknown,
         coalesce(mg.recommended, 0) AS recommended
  FROM answers_per_group g
  CROSS JOIN brands b
  LEFT JOIN mentions_per_group_and_brand mg
         ON mg.day = g.day AND mg.ai_source = g.ai_source AND mg.capture_mode = g.capture_mode
        AND mg.category IS NOT DISTINCT FROM g.category AND mg.brand_id = b.id
)
SELECT gb.day, gb.ai_source, gb.capture_mode, gb.category, gb.brand_id, gb.brand, gb.is_own,
       gb.answers,
       gb.mentioned,
       w.rate AS mention_rate,
       w.low AS mention_rate_low,
       w.high AS mention_rate_high,
       gb.avg_position,
       gb.answers_with_any_brand,
       CASE WHEN gb.answers_with_any_brand > 0
            THEN gb.mentioned::double precision / gb.answers_with_any_brand END AS share_of_voice,
       gb.positive, gb.neutral, gb.negative, gb.sentiment_unknown,
       gb.recommended
FROM group_and_brand gb
CROSS JOIN LATERAL avt_wilson(gb.mentioned, gb.answers) w;
