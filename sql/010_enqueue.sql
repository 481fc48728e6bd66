-- Enqueueing with plain SQL: a new prompt fans out into one queued run per enabled source × sample of the
-- current round, and every statement that queues runs wakes idle workers with one NOTIFY per source.

-- The round new work joins: the newest one.
CREATE OR REPLACE FUNCTION avt_current_round() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(id), 1) FROM rounds
$$;

CREATE OR REPLACE FUNCTION avt_fan_out_prompts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_round integer := avt_current_round();
BEGIN
  INSERT INTO prompt_runs (prompt_id, ai_source, round, sample, priority)
  SELECT p.id, s.name, v_round, g.sample, p.priority
  FROM new_prompts p
  CROSS JOIN ai_sources s
  CROSS JOIN LATERAL generate_series(1, s.samples_per_round) AS g (sample)
  WHERE s.enabled AND p.active
  ORDER BY p.priority DESC, p.created_at, s.name, g.sample;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER prompts_fan_out AFTER INSERT ON prompts
  REFERENCING NEW TABLE AS new_prompts
  FOR EACH STATEMENT EXECUTE FUNCTION avt_fan_out_prompts();

-- A direct insert into prompt_runs may leave out round (the current one) and sample (the next free one,
-- so re-running a prompt on one source is just an insert).
CREATE OR REPLACE FUNCTION avt_fill_run_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.round := coalesce(NEW.round, avt_current_round());
  IF NEW.sample IS NULL THEN
    -- Two sessions re-running the same prompt on the same source take turns, so they get different numbers.
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.prompt_id::text || '/' || NEW.ai_source, 7370003));
    SELECT coalesce(max(r.sample), 0) + 1 INTO NEW.sample
    FROM prompt_runs r
    WHERE r.prompt_id = NEW.prompt_id AND r.ai_source = NEW.ai_source AND r.round = NEW.round;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER prompt_runs_fill_defaults BEFORE INSERT ON prompt_runs
  FOR EACH ROW WHEN (NEW.round IS NULL OR NEW.sample IS NULL)
  EXECUTE FUNCTION avt_fill_run_defaults();

-- Channel `prompt_runs_queued`, payload: the ai_source name. One notification per statement and source,
-- however many rows the statement queued.
CREATE OR REPLACE FUNCTION avt_notify_new_runs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('prompt_runs_queued', s.ai_source)
  FROM (SELECT DISTINCT n.ai_source FROM new_runs n WHERE n.status = 'queued') AS s;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER prompt_runs_notify AFTER INSERT ON prompt_runs
  REFERENCING NEW TABLE AS new_runs
  FOR EACH STATEMENT EXECUTE FUNCTION avt_notify_new_runs();
