-- Mentions, citations and discovered competitors live with their response's month: each table gains its
-- response's captured_at and is partitioned by month on it, as responses is, so that retention drops a month
-- of everything at once (sql/075_months.sql). The rows move over with their ids. A row whose response is gone
-- gets captured_at '-infinity', the column's default ("the response's": sql/075 fills it in on insert), and
-- stays in the default partition. The daily figures are not touched: the rows are the same rows.
--
-- A table cannot become partitioned in place: each old one is renamed, with its sequence and indexes, a new
-- one takes its names, the rows are copied, and the old one is dropped. sql/ is applied after this and
-- recreates the views and functions that the drop takes with it.

ALTER TABLE brand_mentions RENAME TO brand_mentions_unpartitioned;
ALTER SEQUENCE brand_mentions_id_seq RENAME TO brand_mentions_unpartitioned_id_seq;
ALTER INDEX brand_mentions_pkey RENAME TO brand_mentions_unpartitioned_pkey;
ALTER INDEX brand_mentions_response_idx RENAME TO brand_mentions_unpartitioned_response_idx;
ALTER INDEX brand_mentions_brand_idx RENAME TO brand_mentions_unpartitioned_brand_idx;

ALTER TABLE citations RENAME TO citations_unpartitioned;
ALTER SEQUENCE citations_id_seq RENAME TO citations_unpartitioned_id_seq;
ALTER INDEX citations_pkey RENAME TO citations_unpartitioned_pkey;
ALTER INDEX citations_response_idx RENAME TO citations_unpartitioned_response_idx;
ALTER INDEX citations_domain_idx RENAME TO citations_unpartitioned_domain_idx;

ALTER TABLE discovered_competitors RENAME TO discovered_competitors_unpartitioned;
ALTER SEQUENCE discovered_competitors_id_seq RENAME TO discovered_competitors_unpartitioned_id_seq;
ALTER INDEX discovered_competitors_pkey RENAME TO discovered_competitors_unpartitioned_pkey;
ALTER INDEX discovered_competitors_response_idx RENAME TO discovered_competitors_unpartitioned_response_idx;
ALTER INDEX discovered_competitors_name_idx RENAME TO discovered_competitors_unpartitioned_name_idx;

-- The same columns, names and constraints as before, and captured_at last.
CREATE TABLE brand_mentions (
  id             bigint GENERATED ALWAYS AS IDENTITY,
  response_id    bigint NOT NULL,
  brand_id       bigint REFERENCES brands (id) ON DELETE SET NULL,
  brand_name     text NOT NULL,
  position       integer NOT NULL CHECK (position >= 1),
  mention_count  integer NOT NULL DEFAULT 1 CHECK (mention_count >= 1),
  sentiment      text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
  recommended    boolean,
  snippet        text,
  captured_at    timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (id, captured_at)
) PARTITION BY RANGE (captured_at);

CREATE TABLE citations (
  id           bigint GENERATED ALWAYS AS IDENTITY,
  response_id  bigint NOT NULL,
  position     integer NOT NULL CHECK (position >= 1),
  url          text NOT NULL,
  domain       text NOT NULL,
  title        text,
  brand_id     bigint REFERENCES brands (id) ON DELETE SET NULL,
  quote        text,
  captured_at  timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (id, captured_at)
) PARTITION BY RANGE (captured_at);

CREATE TABLE discovered_competitors (
  id           bigint GENERATED ALWAYS AS IDENTITY,
  response_id  bigint NOT NULL,
  name         text NOT NULL CHECK (length(btrim(name)) > 0),
  sentiment    text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  captured_at  timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (id, captured_at)
) PARTITION BY RANGE (captured_at);

-- The partitions responses has, with the same bounds, and a default partition each.
DO $$
DECLARE
  v_table text;
  v_partition record;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['brand_mentions', 'citations', 'discovered_competitors'] LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', v_table || '_default', v_table);
    FOR v_partition IN
      SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'responses'::regclass AND c.relname <> 'responses_default'
    LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I %s',
                     v_table || substr(v_partition.name, length('responses') + 1), v_table, v_partition.bound);
    END LOOP;
  END LOOP;
END
$$;

-- Each row with its response's captured_at (a response id appears once; DISTINCT ON guards against an
-- operator's duplicate all the same).
CREATE TEMPORARY TABLE answer_months ON COMMIT DROP AS
SELECT DISTINCT ON (r.id) r.id, r.captured_at FROM responses r ORDER BY r.id, r.captured_at;
CREATE INDEX ON answer_months (id);
ANALYZE answer_months;

INSERT INTO brand_mentions (id, response_id, brand_id, brand_name, position, mention_count, sentiment, recommended,
                            snippet, captured_at)
OVERRIDING SYSTEM VALUE
SELECT m.id, m.response_id, m.brand_id, m.brand_name, m.position, m.mention_count, m.sentiment, m.recommended,
       m.snippet, coalesce(a.captured_at, '-infinity')
FROM brand_mentions_unpartitioned m
LEFT JOIN answer_months a ON a.id = m.response_id;

INSERT INTO citations (id, response_id, position, url, domain, title, brand_id, quote, captured_at)
OVERRIDING SYSTEM VALUE
SELECT c.id, c.response_id, c.position, c.url, c.domain, c.title, c.brand_id, c.quote,
       coalesce(a.captured_at, '-infinity')
FROM citations_unpartitioned c
LEFT JOIN answer_months a ON a.id = c.response_id;

INSERT INTO discovered_competitors (id, response_id, name, sentiment, created_at, captured_at)
OVERRIDING SYSTEM VALUE
SELECT d.id, d.response_id, d.name, d.sentiment, d.created_at, coalesce(a.captured_at, '-infinity')
FROM discovered_competitors_unpartitioned d
LEFT JOIN answer_months a ON a.id = d.response_id;

-- Ids go on from where the old sequences stood.
SELECT setval(pg_get_serial_sequence('brand_mentions', 'id'), last_value, is_called)
FROM brand_mentions_unpartitioned_id_seq;
SELECT setval(pg_get_serial_sequence('citations', 'id'), last_value, is_called)
FROM citations_unpartitioned_id_seq;
SELECT setval(pg_get_serial_sequence('discovered_competitors', 'id'), last_value, is_called)
FROM discovered_competitors_unpartitioned_id_seq;

-- Takes the views and the functions typed by these tables' rows with it; sql/ makes them again.
DROP TABLE brand_mentions_unpartitioned, citations_unpartitioned, discovered_competitors_unpartitioned CASCADE;

CREATE INDEX brand_mentions_response_idx ON brand_mentions (response_id);
CREATE INDEX brand_mentions_brand_idx ON brand_mentions (brand_id);
CREATE INDEX citations_response_idx ON citations (response_id);
CREATE INDEX citations_domain_idx ON citations (domain);
CREATE INDEX discovered_competitors_response_idx ON discovered_competitors (response_id);
CREATE INDEX discovered_competitors_name_idx ON discovered_competitors (lower(name));
