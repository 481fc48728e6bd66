-- The daily figures behind the views brand_visibility, citation_domains and brand_citations, so that a
-- question costs what its window holds, not the history kept. Triggers on the answers' tables (sql/130) add
-- a row of signed counts for every change, in the changing transaction: a figure is fresh the moment its
-- answer commits, whatever wrote it, and writers never wait on each other's counters. The views add the rows
-- up; compact_daily_figures (sql/130, run by the maintenance task every minute) folds each day's rows into one
-- per key. sql/130 fills these tables from the answers already stored when it is first applied.
--
-- NULL category_id: the answer's prompt has none (or is gone). Counts are integers: a day's count fits, and
-- their sums stay bigint (a sum of bigint is numeric, several times slower to add up).

CREATE TABLE daily_answers (
  id                      bigint GENERATED ALWAYS AS IDENTITY,
  day                     date NOT NULL,
  ai_source               text NOT NULL,
  capture_mode            text NOT NULL,
  category_id             bigint,
  answers                 integer NOT NULL DEFAULT 0,
  answers_with_any_brand  integer NOT NULL DEFAULT 0,
  answers_with_citations  integer NOT NULL DEFAULT 0,
  citations               integer NOT NULL DEFAULT 0
);
CREATE INDEX daily_answers_key_idx ON daily_answers (day, ai_source, capture_mode, category_id);
CREATE INDEX daily_answers_id_idx ON daily_answers (id);

-- An answer's mention of a tracked brand counts once: through its row with the lowest position (then id).
CREATE TABLE daily_brand_mentions (
  id                 bigint GENERATED ALWAYS AS IDENTITY,
  day                date NOT NULL,
  ai_source          text NOT NULL,
  capture_mode       text NOT NULL,
  category_id        bigint,
  brand_id           bigint NOT NULL,
  mentioned          integer NOT NULL DEFAULT 0,
  position_sum       integer NOT NULL DEFAULT 0,
  positive           integer NOT NULL DEFAULT 0,
  neutral            integer NOT NULL DEFAULT 0,
  negative           integer NOT NULL DEFAULT 0,
  sentiment_unknown  integer NOT NULL DEFAULT 0,
  recommended        integer NOT NULL DEFAULT 0
);
CREATE INDEX daily_brand_mentions_key_idx
  ON daily_brand_mentions (day, ai_source, capture_mode, category_id, brand_id);
CREATE INDEX daily_brand_mentions_id_idx ON daily_brand_mentions (id);

-- Per cited domain and the owner its citation rows recorded (citations.brand_id; NULL: untracked): the
-- citation rows, and the answers citing the domain, each counted once, under the owner of its first citation
-- of the domain. Summed over owners: the domain's citations and answers citing it.
CREATE TABLE daily_cited_domains (
  id              bigint GENERATED ALWAYS AS IDENTITY,
  day             date NOT NULL,
  ai_source       text NOT NULL,
  capture_mode    text NOT NULL,
  domain          text NOT NULL,
  brand_id        bigint,
  citations       integer NOT NULL DEFAULT 0,
  answers_citing  integer NOT NULL DEFAULT 0
);
CREATE INDEX daily_cited_domains_key_idx ON daily_cited_domains (day, ai_source, capture_mode, domain);
CREATE INDEX daily_cited_domains_id_idx ON daily_cited_domains (id);

CREATE TABLE daily_brand_citations (
  id              bigint GENERATED ALWAYS AS IDENTITY,
  day             date NOT NULL,
  ai_source       text NOT NULL,
  capture_mode    text NOT NULL,
  brand_id        bigint NOT NULL,
  citations       integer NOT NULL DEFAULT 0,
  answers_citing  integer NOT NULL DEFAULT 0
);
CREATE INDEX daily_brand_citations_key_idx ON daily_brand_citations (day, ai_source, capture_mode, brand_id);
CREATE INDEX daily_brand_citations_id_idx ON daily_brand_citations (id);

-- An answer as the daily figures see it: its group, and whether it counts as an answer (false when only its
-- mentions or citations change).
CREATE TYPE avt_figure_answer AS (
  response_id   bigint,
  day           date,
  ai_source     text,
  capture_mode  text,
  category_id   bigint,
  counted       boolean
);

-- Whether the daily figures were built from the stored answers (sql/130 builds them once, under a lock), and
-- how far compaction has read each table (the highest id folded).
CREATE TABLE avt_daily_figures_state (
  singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  built_at            timestamptz NOT NULL DEFAULT now(),
  compacted_through   jsonb NOT NULL DEFAULT '{}'
);
