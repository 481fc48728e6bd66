-- Keeps the daily figures (migrations/0006) equal to the answers, in the transaction that changes them:
-- triggers on responses, brand_mentions, citations and prompts add signed rows of counts for what each
-- statement changed. Whatever writes the answers counts the same: a worker's commit, apply_reextraction, an
-- operator's bulk load or delete (through the parent table `responses`, not a partition of it).
--
-- The counting lives in one place, avt_add_to_daily_figures: the contribution of a set of answers, with
-- the mention and citation rows given, added with a sign. A change to mentions or citations subtracts the
-- touched answers' contribution before the change and adds it after; a change to an answer's group (its
-- day, source, mode, or its prompt's category) subtracts it from the old group and adds it to the new one.
-- Mentions and citations of an answer not (or no longer) in `responses` count nowhere, so the order in
-- which an answer and its rows are written or deleted does not matter.

CREATE OR REPLACE FUNCTION avt_add_to_daily_figures(
  sign integer,
  answers avt_figure_answer[],
  mentions brand_mentions[] DEFAULT '{}',
  cited citations[] DEFAULT '{}'
) RETURNS void
-- plpgsql, not sql: its statements' plans are kept for the session instead of made again on every call.
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  WITH a AS (SELECT * FROM unnest(avt_add_to_daily_figures.answers)),
  any_brand AS (SELECT DISTINCT m.response_id FROM unnest(avt_add_to_daily_figures.mentions) m WHERE m.brand_id IS NOT NULL),
  cites_per_answer AS (SELECT c.response_id, count(*) AS n FROM unnest(avt_add_to_daily_figures.cited) c GROUP BY c.response_id),
  per_group AS (
    SELECT a.day, a.ai_source, a.capture_mode, a.category_id,
           count(*) FILTER (WHERE a.counted) AS answers,
           count(b.response_id) AS answers_with_any_brand,
           count(c.response_id) AS answers_with_citations,
           coalesce(sum(c.n), 0) AS citations
    FROM a
    LEFT JOIN any_brand b ON b.response_id = a.response_id
    LEFT JOIN cites_per_answer c ON c.response_id = a.response_id
    GROUP BY a.day, a.ai_source, a.capture_mode, a.category_id
  )
  INSERT INTO daily_answers (day, ai_source, capture_mode, category_id, answers, answers_with_any_brand,
                             answers_with_citations, citations)
  SELECT day, ai_source, capture_mode, category_id, avt_add_to_daily_figures.sign * answers, avt_add_to_daily_figures.sign * answers_with_any_brand,
         avt_add_to_daily_figures.sign * answers_with_citations, avt_add_to_daily_figures.sign * citations
  FROM per_group
  WHERE answers > 0 OR answers_with_any_brand > 0 OR answers_with_citations > 0;

  IF cardinality(avt_add_to_daily_figures.mentions) > 0 THEN
  -- The row that stands for an answer's mention of a brand: its lowest position, then lowest id.
  INSERT INTO daily_brand_mentions (day, ai_source, capture_mode, category_id, brand_id, mentioned, position_sum,
                                    positive, neutral, negative, sentiment_unknown, recommended)
  SELECT a.day, a.ai_source, a.capture_mode, a.category_id, m.brand_id,
         avt_add_to_daily_figures.sign * count(*), avt_add_to_daily_figures.sign * sum(m.position),
         avt_add_to_daily_figures.sign * count(*) FILTER (WHERE m.sentiment = 'positive'),
         avt_add_to_daily_figures.sign * count(*) FILTER (WHERE m.sentiment = 'neutral'),
         avt_add_to_daily_figures.sign * count(*) FILTER (WHERE m.sentiment = 'negative'),
         avt_add_to_daily_figures.sign * count(*) FILTER (WHERE m.sentiment IS NULL),
         avt_add_to_daily_figures.sign * count(*) FILTER (WHERE m.recommended)
  FROM (SELECT DISTINCT ON (m.response_id, m.brand_id) m.response_id, m.brand_id, m.position, m.sentiment,
               m.recommended
        FROM unnest(avt_add_to_daily_figures.mentions) m
        WHERE m.brand_id IS NOT NULL
        ORDER BY m.response_id, m.brand_id, m.position, m.id) m
  JOIN unnest(avt_add_to_daily_figures.answers) a ON a.response_id = m.response_id
  GROUP BY a.day, a.ai_source, a.capture_mode, a.category_id, m.brand_id;
  END IF;

  IF cardinality(avt_add_to_daily_figures.cited) = 0 THEN
    RETURN;
  END IF;
  -- Each citation row under its recorded owner; each answer citing a domain once, under the owner of its
  -- first citation of that domain.
  INSERT INTO daily_cited_domains (day, ai_source, capture_mode, domain, brand_id, citations, answers_citing)
  SELECT a.day, a.ai_source, a.capture_mode, c.domain, c.brand_id,
         avt_add_to_daily_figures.sign * count(*), avt_add_to_daily_figures.sign * count(*) FILTER (WHERE c.first_of_domain)
  FROM (SELECT c.response_id, c.domain, c.brand_id,
               row_number() OVER (PARTITION BY c.response_id, c.domain ORDER BY c.id) = 1 AS first_of_domain
        FROM unnest(avt_add_to_daily_figures.cited) c) c
  JOIN unnest(avt_add_to_daily_figures.answers) a ON a.response_id = c.response_id
  GROUP BY a.day, a.ai_source, a.capture_mode, c.domain, c.brand_id;

  INSERT INTO daily_brand_citations (day, ai_source, capture_mode, brand_id, citations, answers_citing)
  SELECT a.day, a.ai_source, a.capture_mode, c.brand_id, avt_add_to_daily_figures.sign * count(*), avt_add_to_daily_figures.sign * count(DISTINCT c.response_id)
  FROM unnest(avt_add_to_daily_figures.cited) c
  JOIN unnest(avt_add_to_daily_figures.answers) a ON a.response_id = c.response_id
  WHERE c.brand_id IS NOT NULL
  GROUP BY a.day, a.ai_source, a.capture_mode, c.brand_id;
END
$$;

-- An answer as the figures count it; `day` is the UTC day of captured_at, as the views define it.
CREATE OR REPLACE FUNCTION avt_figure_answer(r responses, category_id bigint, counted boolean)
RETURNS avt_figure_answer
LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(r.id, (r.captured_at AT TIME ZONE 'UTC')::date, r.ai_source, r.capture_mode, category_id,
             counted)::avt_figure_answer
$$;

-- The answers with these ids that are in `responses` now, grouped by their prompt's category now.
CREATE OR REPLACE FUNCTION avt_figure_answers(response_ids bigint[], counted boolean)
RETURNS avt_figure_answer[]
LANGUAGE plpgsql STABLE
-- Left to choose, the plan cache plans this anew on every call (a custom plan over every partition of
-- responses looked cheaper than the generic one); the generic plan is the same index probes, unplanned.
-- Without seq scans: a plan made while the tables were small would stay a scan of them as they grow.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
  RETURN (
    SELECT coalesce(array_agg(avt_figure_answer(r, p.category_id, avt_figure_answers.counted)), '{}')
    FROM responses r
    LEFT JOIN prompts p ON p.id = r.prompt_id
    WHERE r.id = ANY (avt_figure_answers.response_ids));
END
$$;

-- plpgsql, as the functions below: their plans are kept for the session (an sql function is planned anew
-- on every call, and these run in every commit); never a scan, as avt_figure_answers.
-- only_earlier: leave out the rows written by the same command as their answer (see the responses trigger).
DROP FUNCTION IF EXISTS avt_mentions_of(bigint[]);
CREATE OR REPLACE FUNCTION avt_mentions_of(response_ids bigint[], only_earlier boolean DEFAULT false)
RETURNS brand_mentions[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
  IF only_earlier THEN
    RETURN (SELECT coalesce(array_agg(m), '{}') FROM brand_mentions m
            WHERE m.response_id = ANY (response_ids)
              AND NOT EXISTS (SELECT 1 FROM responses r
                              WHERE r.id = m.response_id AND r.xmin = m.xmin AND r.cmin = m.cmin));
  END IF;
  RETURN (SELECT coalesce(array_agg(m), '{}') FROM brand_mentions m WHERE m.response_id = ANY (response_ids));
END
$$;

DROP FUNCTION IF EXISTS avt_citations_of(bigint[]);
CREATE OR REPLACE FUNCTION avt_citations_of(response_ids bigint[], only_earlier boolean DEFAULT false)
RETURNS citations[]
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
BEGIN
  IF only_earlier THEN
    RETURN (SELECT coalesce(array_agg(c), '{}') FROM citations c
            WHERE c.response_id = ANY (response_ids)
              AND NOT EXISTS (SELECT 1 FROM responses r
                              WHERE r.id = c.response_id AND r.xmin = c.xmin AND r.cmin = c.cmin));
  END IF;
  RETURN (SELECT coalesce(array_agg(c), '{}') FROM citations c WHERE c.response_id = ANY (response_ids));
END
$$;

-- responses: an answer added or deleted counts with its mentions and citations; one whose group changed
-- moves with them.
CREATE OR REPLACE FUNCTION avt_daily_figures_responses() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
  v_old avt_figure_answer[] := '{}';
  v_ids bigint[] := '{}';
BEGIN
  -- Each transition table is named only in the branch of the triggers that have it.
  IF TG_OP = 'INSERT' THEN
    SELECT coalesce(array_agg(n.id), '{}') INTO v_ids FROM new_responses n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT coalesce(array_agg(avt_figure_answer(o, p.category_id, true)), '{}'),
           coalesce(array_agg(o.id), '{}')
    INTO v_old, v_ids
    FROM old_responses o
    LEFT JOIN prompts p ON p.id = o.prompt_id;
  ELSE
    SELECT coalesce(array_agg(avt_figure_answer(o, p.category_id, true)), '{}'),
           coalesce(array_agg(o.id), '{}')
    INTO v_old, v_ids
    FROM old_responses o
    JOIN new_responses n ON n.id = o.id
    LEFT JOIN prompts p ON p.id = o.prompt_id
    -- Its group changed: its day, source, mode or prompt.
    WHERE avt_figure_answer(n, NULL, true) IS DISTINCT FROM avt_figure_answer(o, NULL, true)
       OR n.prompt_id IS DISTINCT FROM o.prompt_id;
  END IF;
  IF cardinality(v_ids) = 0 THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM avt_add_to_daily_figures(-1, v_old, avt_mentions_of(v_ids), avt_citations_of(v_ids));
  END IF;
  IF TG_OP = 'INSERT' THEN
    -- From the statement's own rows: no second look-up of what it just wrote. Mentions and citations written
    -- by this same statement (a CTE that inserts an answer and its rows) are left to their own tables'
    -- triggers, which see the answer: counted here too, they would count twice.
    PERFORM avt_add_to_daily_figures(
      1,
      (SELECT array_agg(avt_figure_answer(n, p.category_id, true))
       FROM new_responses n LEFT JOIN prompts p ON p.id = n.prompt_id),
      avt_mentions_of(v_ids, true), avt_citations_of(v_ids, true));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM avt_add_to_daily_figures(1, avt_figure_answers(v_ids, true), avt_mentions_of(v_ids),
                                     avt_citations_of(v_ids));
  END IF;
  RETURN NULL;
END
$$;

-- brand_mentions: the touched answers' mention counts, before the statement and after.
CREATE OR REPLACE FUNCTION avt_daily_figures_mentions() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
  v_ids bigint[];
  v_answers avt_figure_answer[];
  v_changed bigint[] := '{}';
  v_removed brand_mentions[] := '{}';
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT coalesce(array_agg(n.id), '{}') INTO v_changed FROM new_mentions n;
  END IF;
  -- A statement that touched no row (a commit of an answer without mentions) changes nothing.
  IF TG_OP = 'INSERT' AND cardinality(v_changed) = 0 THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    SELECT coalesce(array_agg(o), '{}') INTO v_removed FROM old_mentions o;
  END IF;
  SELECT coalesce(array_agg(DISTINCT t.response_id), '{}') INTO v_ids
  FROM (SELECT response_id FROM unnest(v_removed)
        UNION ALL SELECT m.response_id FROM brand_mentions m WHERE m.id = ANY (v_changed)) t;
  v_answers := avt_figure_answers(v_ids, false);
  IF cardinality(v_answers) = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM avt_add_to_daily_figures(
    -1, v_answers,
    (SELECT coalesce(array_agg(b), '{}') FROM (
       SELECT m FROM brand_mentions m WHERE m.response_id = ANY (v_ids) AND m.id <> ALL (v_changed)
       UNION ALL SELECT o FROM unnest(v_removed) o) AS t (b)));
  PERFORM avt_add_to_daily_figures(1, v_answers, avt_mentions_of(v_ids));
  RETURN NULL;
END
$$;

-- citations: likewise.
CREATE OR REPLACE FUNCTION avt_daily_figures_citations() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
  v_ids bigint[];
  v_answers avt_figure_answer[];
  v_changed bigint[] := '{}';
  v_removed citations[] := '{}';
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT coalesce(array_agg(n.id), '{}') INTO v_changed FROM new_citations n;
  END IF;
  IF TG_OP = 'INSERT' AND cardinality(v_changed) = 0 THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    SELECT coalesce(array_agg(o), '{}') INTO v_removed FROM old_citations o;
  END IF;
  SELECT coalesce(array_agg(DISTINCT t.response_id), '{}') INTO v_ids
  FROM (SELECT response_id FROM unnest(v_removed)
        UNION ALL SELECT c.response_id FROM citations c WHERE c.id = ANY (v_changed)) t;
  v_answers := avt_figure_answers(v_ids, false);
  IF cardinality(v_answers) = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM avt_add_to_daily_figures(
    -1, v_answers, '{}',
    (SELECT coalesce(array_agg(b), '{}') FROM (
       SELECT c FROM citations c WHERE c.response_id = ANY (v_ids) AND c.id <> ALL (v_changed)
       UNION ALL SELECT o FROM unnest(v_removed) o) AS t (b)));
  PERFORM avt_add_to_daily_figures(1, v_answers, '{}', avt_citations_of(v_ids));
  RETURN NULL;
END
$$;

-- prompts: a prompt whose category changed (or that was deleted: no category) moves its answers.
CREATE OR REPLACE FUNCTION avt_daily_figures_prompts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_moved jsonb;
  v_ids bigint[];
  v_old avt_figure_answer[];
  v_new avt_figure_answer[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT jsonb_object_agg(o.id::text, jsonb_build_array(o.category_id, NULL)) INTO v_moved FROM old_prompts o;
  ELSE
    SELECT jsonb_object_agg(o.id::text, jsonb_build_array(o.category_id, n.category_id)) INTO v_moved
    FROM old_prompts o
    JOIN new_prompts n ON n.id = o.id
    WHERE n.category_id IS DISTINCT FROM o.category_id;
  END IF;
  IF v_moved IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(array_agg(avt_figure_answer(r, (v_moved -> r.prompt_id::text ->> 0)::bigint, true)), '{}'),
         coalesce(array_agg(avt_figure_answer(r, (v_moved -> r.prompt_id::text ->> 1)::bigint, true)), '{}'),
         coalesce(array_agg(r.id), '{}')
  INTO v_old, v_new, v_ids
  FROM responses r
  WHERE r.prompt_id::text IN (SELECT jsonb_object_keys(v_moved));
  IF cardinality(v_ids) > 0 THEN
    PERFORM avt_add_to_daily_figures(-1, v_old, avt_mentions_of(v_ids), avt_citations_of(v_ids));
    PERFORM avt_add_to_daily_figures(1, v_new, avt_mentions_of(v_ids), avt_citations_of(v_ids));
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER avt_daily_figures_responses_insert AFTER INSERT ON responses
REFERENCING NEW TABLE AS new_responses FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_responses();
CREATE OR REPLACE TRIGGER avt_daily_figures_responses_update AFTER UPDATE ON responses
REFERENCING OLD TABLE AS old_responses NEW TABLE AS new_responses
FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_responses();
CREATE OR REPLACE TRIGGER avt_daily_figures_responses_delete AFTER DELETE ON responses
REFERENCING OLD TABLE AS old_responses FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_responses();

CREATE OR REPLACE TRIGGER avt_daily_figures_mentions_insert AFTER INSERT ON brand_mentions
REFERENCING NEW TABLE AS new_mentions FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_mentions();
CREATE OR REPLACE TRIGGER avt_daily_figures_mentions_update AFTER UPDATE ON brand_mentions
REFERENCING OLD TABLE AS old_mentions NEW TABLE AS new_mentions
FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_mentions();
CREATE OR REPLACE TRIGGER avt_daily_figures_mentions_delete AFTER DELETE ON brand_mentions
REFERENCING OLD TABLE AS old_mentions FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_mentions();

CREATE OR REPLACE TRIGGER avt_daily_figures_citations_insert AFTER INSERT ON citations
REFERENCING NEW TABLE AS new_citations FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_citations();
CREATE OR REPLACE TRIGGER avt_daily_figures_citations_update AFTER UPDATE ON citations
REFERENCING OLD TABLE AS old_citations NEW TABLE AS new_citations
FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_citations();
CREATE OR REPLACE TRIGGER avt_daily_figures_citations_delete AFTER DELETE ON citations
REFERENCING OLD TABLE AS old_citations FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_citations();

CREATE OR REPLACE TRIGGER avt_daily_figures_prompts_update AFTER UPDATE ON prompts
REFERENCING OLD TABLE AS old_prompts NEW TABLE AS new_prompts
FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_prompts();
CREATE OR REPLACE TRIGGER avt_daily_figures_prompts_delete AFTER DELETE ON prompts
REFERENCING OLD TABLE AS old_prompts FOR EACH STATEMENT EXECUTE FUNCTION avt_daily_figures_prompts();

-- Folds each day's rows of the daily figures into one row per key (dropping keys whose counts are all
-- zero), for the days that got rows since the last run, written in key order: a group's rows then share a
-- few pages, which the views' per-group look-ups read. The figures are the same before and after: the
-- views add the rows up either way; compaction only keeps them few. Returns how many rows it folded.
CREATE OR REPLACE FUNCTION compact_daily_figures() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_state jsonb;
  v_table text;
  v_keys text;
  v_sums text;
  v_nonzero text;
  v_through bigint;
  v_max bigint;
  v_folded bigint;
  v_total bigint := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7370002);
  SELECT compacted_through INTO v_state FROM avt_daily_figures_state;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  FOR v_table, v_keys, v_sums, v_nonzero IN VALUES
    ('daily_answers', 'day, ai_source, capture_mode, category_id',
     'sum(answers), sum(answers_with_any_brand), sum(answers_with_citations), sum(citations)',
     'sum(answers) <> 0 OR sum(answers_with_any_brand) <> 0 OR sum(answers_with_citations) <> 0 OR sum(citations) <> 0'),
    ('daily_brand_mentions', 'day, ai_source, capture_mode, category_id, brand_id',
     'sum(mentioned), sum(position_sum), sum(positive), sum(neutral), sum(negative), sum(sentiment_unknown), sum(recommended)',
     'sum(mentioned) <> 0 OR sum(position_sum) <> 0 OR sum(recommended) <> 0'),
    ('daily_cited_domains', 'day, ai_source, capture_mode, domain, brand_id',
     'sum(citations), sum(answers_citing)', 'sum(citations) <> 0 OR sum(answers_citing) <> 0'),
    ('daily_brand_citations', 'day, ai_source, capture_mode, brand_id',
     'sum(citations), sum(answers_citing)', 'sum(citations) <> 0 OR sum(answers_citing) <> 0')
  LOOP
    v_through := coalesce((v_state ->> v_table)::bigint, 0);
    EXECUTE format('SELECT max(id) FROM %I', v_table) INTO v_max;
    IF v_max IS NULL OR v_max <= v_through THEN
      CONTINUE;
    END IF;
    EXECUTE format(
      'WITH days AS (SELECT DISTINCT day FROM %1$I WHERE id > %2$s AND id <= %3$s),
            folded AS (DELETE FROM %1$I t WHERE t.day IN (SELECT day FROM days) RETURNING t.*),
            merged AS (INSERT INTO %1$I (%4$s, %5$s)
                       SELECT %4$s, %6$s FROM folded GROUP BY %4$s HAVING %7$s ORDER BY %4$s
                       RETURNING 1)
       SELECT (SELECT count(*) FROM folded)',
      v_table, v_through, v_max, v_keys,
      regexp_replace(v_sums, 'sum\(([a-z_]+)\)', '\1', 'g'), v_sums, v_nonzero)
    INTO v_folded;
    v_total := v_total + v_folded;
    v_state := jsonb_set(v_state, ARRAY[v_table], to_jsonb(v_max));
  END LOOP;
  UPDATE avt_daily_figures_state SET compacted_through = v_state;
  RETURN v_total;
END
$$;

-- Builds the daily figures from the answers stored before this file was first applied, once. The lock keeps
-- writers out until this transaction (which also created the triggers) commits: every answer is counted
-- here or by the triggers, never both, never neither.
CREATE OR REPLACE FUNCTION avt_build_daily_figures() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_ids bigint[];
BEGIN
  IF EXISTS (SELECT 1 FROM avt_daily_figures_state) THEN
    RETURN;
  END IF;
  LOCK TABLE responses, brand_mentions, citations, prompts IN SHARE MODE;
  TRUNCATE daily_answers, daily_brand_mentions, daily_cited_domains, daily_brand_citations;
  FOR v_ids IN SELECT array_agg(r.id) FROM responses r GROUP BY r.id / 10000 LOOP
    PERFORM avt_add_to_daily_figures(1, avt_figure_answers(v_ids, true), avt_mentions_of(v_ids),
                                     avt_citations_of(v_ids));
  END LOOP;
  INSERT INTO avt_daily_figures_state DEFAULT VALUES;
  PERFORM compact_daily_figures();
END
$$;

SELECT avt_build_daily_figures();
