-- Which sources the answers cite. Both views group the answers by
--   day (= (responses.captured_at AT TIME ZONE 'UTC')::date) × ai_source × capture_mode
-- and list only groups with at least one citation. In a group:
--   answers_with_citations  w = responses with at least one citation
--   citations_in_group      t = citation rows
--
-- citation_domains: one row per group × cited domain (citations.domain)
--   brand_id, brand         the domain's owner as recorded on its citations (citations.brand_id); NULL when
--                           untracked. Should its rows disagree (a brand added or deleted between captures),
--                           the non-NULL one, and between two brands the highest id.
--   citations          c  = the domain's citation rows
--   answers_citing     d  = responses citing the domain (a domain cited twice in one answer counts once)
--   citation_rate         = d / w
--   citation_share        = c / t
--
-- brand_citations: one row per group × tracked brand (every row of `brands`, zeros included); a citation is
-- the brand's when citations.brand_id = brand
--   answers_citing     d  = responses citing any of the brand's domains
--   citation_rate         = d / w
--   citations          c  = the brand's citation rows
--   citation_share        = c / t
--
-- Both read the daily figures (migrations/0006, kept by sql/130); citation_domains_recomputed and
-- brand_citations_recomputed compute the same from the citations themselves (slow; what the tests and
-- bench/numbers.ts check them against).
--
-- Dropped and created rather than replaced, so the column lists can change in a later version (CREATE OR
-- REPLACE VIEW cannot drop, rename or retype a column). A view built on these must be dropped first.
DROP VIEW IF EXISTS citation_domains;
DROP VIEW IF EXISTS brand_citations;
DROP VIEW IF EXISTS citation_domains_recomputed;
DROP VIEW IF EXISTS brand_citations_recomputed;
DROP VIEW IF EXISTS avt_citation_groups;

-- The groups both views list: day × source × mode with at least one citation, and their totals.
CREATE VIEW avt_citation_groups AS
SELECT d.day, d.ai_source, d.capture_mode,
       sum(d.answers_with_citations)::bigint AS answers_with_citations,
       sum(d.citations)::bigint AS citations_in_group
FROM daily_answers d
GROUP BY d.day, d.ai_source, d.capture_mode
HAVING sum(d.citations) > 0;

CREATE VIEW citation_domains AS
SELECT g.day, g.ai_source, g.capture_mode, d.domain,
       d.brand_id, b.name AS brand,
       d.citations,
       d.answers_citing,
       g.answers_with_citations,
       d.answers_citing::double precision / g.answers_with_citations AS citation_rate,
       g.citations_in_group,
       d.citations::double precision / g.citations_in_group AS citation_share
FROM avt_citation_groups g
-- daily_cited_domains_key_idx, per group: each domain's counts, summed over the owners its rows recorded
CROSS JOIN LATERAL (
  SELECT o.domain,
         max(o.brand_id) FILTER (WHERE o.citations > 0) AS brand_id,
         sum(o.citations)::bigint AS citations,
         sum(o.answers_citing)::bigint AS answers_citing
  -- integer: a day's count fits, and a sum of integers adds up faster than one of bigints (numeric)
  FROM (SELECT x.domain, x.brand_id, sum(x.citations)::integer AS citations,
               sum(x.answers_citing)::integer AS answers_citing
        FROM daily_cited_domains x
        WHERE x.day = g.day AND x.ai_source = g.ai_source AND x.capture_mode = g.capture_mode
        GROUP BY x.domain, x.brand_id) o
  GROUP BY o.domain
  HAVING sum(o.citations) > 0
) d
LEFT JOIN brands b ON b.id = d.brand_id;

CREATE VIEW brand_citations AS
SELECT g.day, g.ai_source, g.capture_mode,
       b.id AS brand_id, b.name AS brand, b.is_own,
       coalesce(x.answers_citing, 0) AS answers_citing,
       g.answers_with_citations,
       coalesce(x.answers_citing, 0)::double precision / g.answers_with_citations AS citation_rate,
       coalesce(x.citations, 0) AS citations,
       g.citations_in_group,
       coalesce(x.citations, 0)::double precision / g.citations_in_group AS citation_share
FROM avt_citation_groups g
CROSS JOIN brands b
-- daily_brand_citations_key_idx, per group and brand
CROSS JOIN LATERAL (
  SELECT sum(c.citations)::bigint AS citations, sum(c.answers_citing)::bigint AS answers_citing
  FROM daily_brand_citations c
  WHERE c.day = g.day AND c.ai_source = g.ai_source AND c.capture_mode = g.capture_mode AND c.brand_id = b.id
) x;

CREATE VIEW citation_domains_recomputed AS
-- NOT MATERIALIZED: used twice below, and a filter on the view (a source) must still reach `responses`.
WITH cited AS NOT MATERIALIZED (
  SELECT (r.captured_at AT TIME ZONE 'UTC')::date AS day, r.ai_source, r.capture_mode,
         c.response_id, c.domain, c.brand_id
  FROM responses r
  JOIN citations c ON c.response_id = r.id -- citations_response_idx
),
citations_per_group AS (
  SELECT day, ai_source, capture_mode,
         count(DISTINCT response_id) AS answers_with_citations,
         count(*) AS citations_in_group
  FROM cited
  GROUP BY day, ai_source, capture_mode
),
citations_per_group_and_domain AS (
  SELECT day, ai_source, capture_mode, domain,
         max(brand_id) AS brand_id,
         count(*) AS citations,
         count(DISTINCT response_id) AS answers_citing
  FROM cited
  GROUP BY day, ai_source, capture_mode, domain
)
SELECT d.day, d.ai_source, d.capture_mode, d.domain,
       d.brand_id, b.name AS brand,
       d.citations,
       d.answers_citing,
       g.answers_with_citations,
       d.answers_citing::double precision / g.answers_with_citations AS citation_rate,
       g.citations_in_group,
       d.citations::double precision / g.citations_in_group AS citation_share
FROM citations_per_group_and_domain d
JOIN citations_per_group g USING (day, ai_source, capture_mode)
LEFT JOIN brands b ON b.id = d.brand_id;

CREATE VIEW brand_citations_recomputed AS
WITH cited AS NOT MATERIALIZED (
  SELECT (r.captured_at AT TIME ZONE 'UTC')::date AS day, r.ai_source, r.capture_mode,
         c.response_id, c.brand_id
  FROM responses r
  JOIN citations c ON c.response_id = r.id -- citations_response_idx
),
citations_per_group AS (
  SELECT day, ai_source, capture_mode,
         count(DISTINCT response_id) AS answers_with_citations,
         count(*) AS citations_in_group
  FROM cited
  GROUP BY day, ai_source, capture_mode
),
citations_per_group_and_brand AS (
  SELECT day, ai_source, capture_mode, brand_id,
         count(*) AS citations,
         count(DISTINCT response_id) AS answers_citing
  FROM cited
  WHERE brand_id IS NOT NULL
  GROUP BY day, ai_source, capture_mode, brand_id
)
SELECT g.day, g.ai_source, g.capture_mode,
       b.id AS brand_id, b.name AS brand, b.is_own,
       coalesce(gb.answers_citing, 0) AS answers_citing,
       g.answers_with_citations,
       coalesce(gb.answers_citing, 0)::double precision / g.answers_with_citations AS citation_rate,
       coalesce(gb.citations, 0) AS citations,
       g.citations_in_group,
       coalesce(gb.citations, 0)::double precision / g.citations_in_group AS citation_share
FROM citations_per_group g
CROSS JOIN brands b
LEFT JOIN citations_per_group_and_brand gb
       ON gb.day = g.day AND gb.ai_source = g.ai_source AND gb.capture_mode = g.capture_mode
      AND gb.brand_id = b.id;
