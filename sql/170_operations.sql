-- What an operator does to the queue by hand (`avt serve`'s actions, and the same from psql): look at dead
-- runs and retry them, pause and resume a source, enqueue prompts and import brands. Each is one statement,
-- so it happens whole or not at all. The actions run as their owner (SECURITY DEFINER): avt_api may call
-- them, and has no right to write to the tables itself (sql/900_roles.sql).

-- Dead runs, most recently dead first (then the highest id), `max_rows` of them after the position
-- (before_at, before_id) of the last row of the previous page (NULL: from the top). `sort_at` is that
-- position's time: finished_at, or created_at for a run made dead by hand without one. `artifacts` holds
-- the artifacts directories of its latest five attempts that saved one, newest first:
-- [{"attempt": 2, "path": "/artifacts/17/2"}]. A retried run starts counting attempts at 1 again, so an
-- attempt number stands for its latest attempt of that number.
CREATE OR REPLACE FUNCTION list_dead_runs(
  ai_source text DEFAULT NULL,
  before_at timestamptz DEFAULT NULL,
  before_id bigint DEFAULT NULL,
  max_rows integer DEFAULT 50
) RETURNS TABLE (
  id bigint,
  prompt_id uuid,
  prompt text,
  source text,
  attempts integer,
  last_error text,
  finished_at timestamptz,
  sort_at timestamptz,
  artifacts jsonb
)
LANGUAGE sql STABLE AS $$
  SELECT r.id, r.prompt_id, p.text, r.ai_source, r.attempts, r.last_error, r.finished_at,
         coalesce(r.finished_at, r.created_at),
         (SELECT coalesce(jsonb_agg(jsonb_build_object('attempt', a.attempt, 'path', a.artifacts_path)
                                    ORDER BY a.attempt DESC), '[]')
          FROM (SELECT DISTINCT ON (a.attempt) a.attempt, a.artifacts_path
                FROM run_attempts a
                WHERE a.run_id = r.id AND a.artifacts_path IS NOT NULL
                ORDER BY a.attempt DESC, a.id DESC
                LIMIT 5) AS a)
  FROM prompt_runs r
  JOIN prompts p ON p.id = r.prompt_id
  WHERE r.status = 'dead'
    AND (list_dead_runs.ai_source IS NULL OR r.ai_source = list_dead_runs.ai_source)
    AND (list_dead_runs.before_at IS NULL
         OR (coalesce(r.finished_at, r.created_at), r.id) < (list_dead_runs.before_at, list_dead_runs.before_id))
  ORDER BY coalesce(r.finished_at, r.created_at) DESC, r.id DESC
  LIMIT list_dead_runs.max_rows
$$;

-- The error an operation raises for a source name that is not in ai_sources, listing the known ones.
CREATE OR REPLACE FUNCTION avt_require_source(caller text, name text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ai_sources s WHERE s.name = avt_require_source.name) THEN
    RAISE EXCEPTION '%: unknown ai_source %; known sources: %', caller, quote_nullable(avt_require_source.name),
      (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM ai_sources s)
      USING ERRCODE = '22023';
  END IF;
END
$$;

-- Gives dead runs another full set of attempts: queued, attempts back to 0, due now, and the workers of
-- each source touched woken (NOTIFY prompt_runs_queued, as a new run does). Filters combine; NULL = any:
-- the source, dead since (finished_at at or after), and the run ids. last_error and the attempts'
-- history stay. Returns how many runs were queued again.
CREATE OR REPLACE FUNCTION retry_dead_runs(
  ai_source text DEFAULT NULL,
  since timestamptz DEFAULT NULL,
  run_ids bigint[] DEFAULT NULL
) RETURNS integer
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_api (sql/900_roles.sql)
AS $$
#variable_conflict use_column
DECLARE
  v_count integer;
  v_sources text[];
BEGIN
  IF retry_dead_runs.ai_source IS NOT NULL THEN
    PERFORM avt_require_source('retry_dead_runs', retry_dead_runs.ai_source);
  END IF;
  WITH retried AS (
    UPDATE prompt_runs r
    SET status = 'queued',
        attempts = 0,
        run_after = pg_catalog.now(),
        finished_at = NULL
    WHERE r.status = 'dead'
      AND (retry_dead_runs.ai_source IS NULL OR r.ai_source = retry_dead_runs.ai_source)
      AND (retry_dead_runs.since IS NULL OR r.finished_at >= retry_dead_runs.since)
      AND (retry_dead_runs.run_ids IS NULL OR r.id = ANY (retry_dead_runs.run_ids))
    RETURNING r.ai_source
  )
  SELECT count(*)::integer, array_agg(DISTINCT rt.ai_source) INTO v_count, v_sources FROM retried rt;
  PERFORM pg_notify('prompt_runs_queued', s) FROM unnest(v_sources) AS u (s);
  RETURN v_count;
END
$$;

-- Stops claims of a source until `until` (default: until resumed, `infinity`, as a captcha's pause), with
-- the reason `avt status` shows. Runs already running finish. Returns the stored paused_until.
CREATE OR REPLACE FUNCTION pause_source(
  name text,
  until timestamptz DEFAULT 'infinity',
  reason text DEFAULT NULL
) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_api (sql/900_roles.sql)
AS $$
#variable_conflict use_column
DECLARE
  v_until timestamptz;
BEGIN
  PERFORM avt_require_source('pause_source', pause_source.name);
  IF pause_source.until IS NOT NULL AND pause_source.until <= pg_catalog.now() THEN
    RAISE EXCEPTION 'pause_source: until % is not in the future', pause_source.until USING ERRCODE = '22023';
  END IF;
  UPDATE ai_sources s
  SET paused_until = coalesce(pause_source.until, 'infinity'), pause_reason = pause_source.reason
  WHERE s.name = pause_source.name
  RETURNING s.paused_until INTO v_until;
  RETURN v_until;
END
$$;

-- Lets workers claim a paused source again, and wakes its idle workers at once.
CREATE OR REPLACE FUNCTION resume_source(name text) RETURNS void
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_api (sql/900_roles.sql)
AS $$
#variable_conflict use_column
BEGIN
  PERFORM avt_require_source('resume_source', resume_source.name);
  UPDATE ai_sources s SET paused_until = NULL, pause_reason = NULL WHERE s.name = resume_source.name;
  PERFORM pg_notify('prompt_runs_queued', resume_source.name);
END
$$;

-- Adds prompts, creating the categories they name: a JSON array of {"text", "category"?, "priority"?,
-- "active"?}, in order. The prompts fan out to runs (and wake the workers) through the insert's triggers
-- (010). Returns how many prompts were added.
CREATE OR REPLACE FUNCTION enqueue_prompts(prompts jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_api (sql/900_roles.sql)
AS $$
DECLARE
  v_count integer;
BEGIN
  INSERT INTO categories (name)
  SELECT DISTINCT e.value ->> 'category'
  FROM jsonb_array_elements(enqueue_prompts.prompts) AS e (value)
  WHERE e.value ->> 'category' IS NOT NULL
  ORDER BY 1
  ON CONFLICT (name) DO NOTHING;

  INSERT INTO prompts (text, category_id, priority, active)
  SELECT e.value ->> 'text', c.id, coalesce((e.value ->> 'priority')::integer, 0),
         coalesce((e.value ->> 'active')::boolean, true)
  FROM jsonb_array_elements(enqueue_prompts.prompts) WITH ORDINALITY AS e (value, n)
  LEFT JOIN categories c ON c.name = e.value ->> 'category'
  ORDER BY e.n;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;

-- Adds or updates brands by name: a JSON array of {"name", "aliases"?, "domains"?, "is_own"?}, each name
-- once. A field left out keeps the brand's stored value (a new brand: none, and not ours). Returns how many
-- brands were added or updated.
CREATE OR REPLACE FUNCTION import_brands(brands jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- for avt_api (sql/900_roles.sql)
AS $$
DECLARE
  v_count integer;
BEGIN
  WITH given AS (
    SELECT e.value ->> 'name' AS name,
           CASE WHEN e.value ? 'aliases'
                THEN ARRAY(SELECT jsonb_array_elements_text(e.value -> 'aliases')) END AS aliases,
           CASE WHEN e.value ? 'domains'
                THEN ARRAY(SELECT jsonb_array_elements_text(e.value -> 'domains')) END AS domains,
           (e.value ->> 'is_own')::boolean AS is_own
    FROM jsonb_array_elements(import_brands.brands) AS e (value)
  )
  INSERT INTO brands AS b (name, aliases, domains, is_own)
  SELECT g.name, coalesce(g.aliases, '{}'), coalesce(g.domains, '{}'), coalesce(g.is_own, false)
  FROM given g
  ON CONFLICT (name) DO UPDATE
  SET aliases = coalesce((SELECT g.aliases FROM given g WHERE g.name = excluded.name), b.aliases),
      domains = coalesce((SELECT g.domains FROM given g WHERE g.name = excluded.name), b.domains),
      is_own = coalesce((SELECT g.is_own FROM given g WHERE g.name = excluded.name), b.is_own);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END
$$;
