-- What `avt serve` caches by: a version of the results that changes whenever a figure, an answer or a brand
-- can read differently, and a notification when it does.
--
-- results_version() reads, in the caller's snapshot, the highest row id of each daily figures table (every
-- committed change to the figures adds rows there: sql/130), of discovered_competitors and of results_edits
-- (edited answer and prompt texts), and a digest of the brands and categories (names the figures are shown
-- under). Index look-ups only: no aggregate over answers.
CREATE OR REPLACE FUNCTION results_version() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT concat_ws('.',
    coalesce((SELECT max(id) FROM daily_answers), 0),
    coalesce((SELECT max(id) FROM daily_brand_mentions), 0),
    coalesce((SELECT max(id) FROM daily_cited_domains), 0),
    coalesce((SELECT max(id) FROM daily_brand_citations), 0),
    coalesce((SELECT max(id) FROM discovered_competitors), 0),
    coalesce((SELECT max(id) FROM results_edits), 0),
    (SELECT left(md5(coalesce(string_agg(concat_ws('|', b.id, b.name, b.is_own, b.aliases, b.domains), ','
                                          ORDER BY b.id), '')), 12) FROM brands b),
    (SELECT left(md5(coalesce(string_agg(concat_ws('|', c.id, c.name), ',' ORDER BY c.id), '')), 12)
     FROM categories c))
$$;

-- NOTIFY avt_results once per transaction that changed the results (PostgreSQL folds a transaction's equal
-- notifications into one), delivered when it commits: each `avt serve` replica then drops its cache.
CREATE OR REPLACE FUNCTION avt_notify_results_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('avt_results', '');
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT ON daily_answers
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT ON daily_brand_mentions
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT ON daily_cited_domains
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT ON daily_brand_citations
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT OR UPDATE OR DELETE ON discovered_competitors
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT OR UPDATE OR DELETE ON brands
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();
CREATE OR REPLACE TRIGGER avt_results_changed AFTER INSERT OR UPDATE OR DELETE ON categories
FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_results_changed();

-- An answer's or a prompt's text edited: the evidence reads differently though no figure changed.
CREATE OR REPLACE FUNCTION avt_record_results_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO results_edits DEFAULT VALUES;
  PERFORM pg_notify('avt_results', '');
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER avt_results_edited AFTER UPDATE OF answer_text, answer_html, model ON responses
FOR EACH STATEMENT EXECUTE FUNCTION avt_record_results_edit();
CREATE OR REPLACE TRIGGER avt_results_edited AFTER UPDATE OF text ON prompts
FOR EACH STATEMENT EXECUTE FUNCTION avt_record_results_edit();
