-- Hands the next runs of one source to one worker process, each under a fresh lease of its own: up to
-- `max_runs`, so a process with several idle slots fills them with one statement (claim_next_prompt, below,
-- is the one-run form).
--
-- Eligible: `queued` with run_after <= now. A `running` run whose lease expired (its worker crashed, hung
-- or was cut off) is first taken back: its attempt is closed as `lease_expired` and the run re-queued (or
-- `dead` when that was its last attempt), so it is then claimed like any other queued run and the old
-- worker's token no longer matches anything.
-- Order: highest priority, then oldest run_after, then id (deterministic); rows come back in that order.
-- Limits, enforced here so that every worker process obeys them together: the source must be enabled and
-- not paused; max_concurrency caps live leases (a batch takes only the free slots); min_interval_ms spaces
-- claims (a source with one claims a single run per call). Claimers of a capped source take turns on its
-- ai_sources row; an uncapped source is claimed fully in parallel (SKIP LOCKED).
-- `now` exists for tests; leave it NULL.
-- The claim commits without waiting for its WAL flush (synchronous_commit off for this transaction only):
-- a claim lost in a database crash just means the run is claimed again, and the lost lease's holder cannot
-- commit (its token matches nothing). Results (commit_prompt_run_results) are always flushed.
-- `locked_by` of a claim, and of the workers row the process registers: `<worker_id>@<worker_tag>`, the tag
-- being `host:pid:nonce` (a claimer without one gets its backend pid). Built here alone.
CREATE OR REPLACE FUNCTION avt_locked_by(worker_id integer, worker_tag text) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT worker_id::text || '@' || coalesce(nullif(worker_tag, ''), 'backend-' || pg_backend_pid()::text)
$$;

CREATE OR REPLACE FUNCTION claim_next_prompts(
  worker_id integer,
  ai_source text,
  max_runs integer,
  lease_seconds integer DEFAULT NULL,
  worker_tag text DEFAULT NULL,
  now timestamptz DEFAULT NULL
) RETURNS TABLE (
  run_id bigint,
  prompt_id uuid,
  prompt_text text,
  source text,
  round integer,
  sample integer,
  attempt integer,
  max_attempts integer,
  lease_token uuid,
  locked_by text,
  locked_until timestamptz
)
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER -- avt_worker claims with no rights on the tables (sql/900_roles.sql)
SET enable_seqscan = off -- see avt_complete_runs (040)
-- A cached plan: left to choose, the plan cache planned every claim afresh, because a generic plan must
-- assume that `LIMIT v_limit` keeps a tenth of the queue. The statements below have good generic plans: the
-- runs are updated by key (`= ANY`), where a join had been planned as a merge over the whole primary key.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := coalesce(claim_next_prompts.now, pg_catalog.now());
  v_source text := claim_next_prompts.ai_source;
  v_src ai_sources%ROWTYPE;
  v_lease integer;
  v_limit integer := claim_next_prompts.max_runs;
  v_locked_by text;
BEGIN
  IF claim_next_prompts.worker_id IS NULL OR v_source IS NULL OR v_limit IS NULL THEN
    RAISE EXCEPTION 'claim_next_prompts: worker_id, ai_source and max_runs are required'
      USING ERRCODE = '22004';
  END IF;
  IF v_limit < 1 THEN
    RAISE EXCEPTION 'claim_next_prompts: max_runs must be at least 1, got %', v_limit
      USING ERRCODE = '22023';
  END IF;

  SELECT * INTO v_src FROM ai_sources s WHERE s.name = v_source;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim_next_prompts: unknown ai_source %; known sources: %', quote_literal(v_source),
      (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM ai_sources s)
      USING ERRCODE = '22023', HINT = 'INSERT INTO ai_sources (name) VALUES (...) adds a source';
  END IF;

  v_lease := coalesce(claim_next_prompts.lease_seconds, v_src.lease_seconds);
  IF v_lease < 1 THEN
    RAISE EXCEPTION 'claim_next_prompts: lease_seconds must be at least 1, got %', v_lease
      USING ERRCODE = '22023';
  END IF;

  IF NOT v_src.enabled OR v_src.paused_until > v_now THEN
    RETURN;
  END IF;

  -- Take back runs whose lease expired (checked first with a plain index probe: usually there are none).
  IF EXISTS (
    SELECT 1 FROM prompt_runs r
    WHERE r.ai_source = v_source AND r.status = 'running' AND r.locked_until <= v_now
  ) THEN
  WITH expired AS (
    SELECT r.id, r.lease_token, r.attempts >= v_src.max_attempts AS last_attempt,
           format('lease expired: %s stopped renewing its lease at %s', r.locked_by, r.locked_until) AS error
    FROM prompt_runs r
    WHERE r.ai_source = v_source AND r.status = 'running' AND r.locked_until <= v_now
    ORDER BY r.locked_until, r.id
    LIMIT 100
    FOR UPDATE SKIP LOCKED
  ), closed AS (
    UPDATE run_attempts a
    SET finished_at = v_now,
        outcome = CASE WHEN e.last_attempt THEN 'dead' ELSE 'lease_expired' END,
        error_kind = 'lease_expired',
        error = e.error
    FROM expired e
    WHERE a.lease_token = e.lease_token
  )
  UPDATE prompt_runs r
  SET status = CASE WHEN e.last_attempt THEN 'dead' ELSE 'queued' END,
      finished_at = CASE WHEN e.last_attempt THEN v_now END,
      run_after = v_now,
      last_error = e.error,
      locked_by = NULL,
      lease_token = NULL,
      locked_until = NULL
  FROM expired e
  WHERE r.id = e.id;
  END IF;

  IF v_src.max_concurrency IS NOT NULL OR v_src.min_interval_ms > 0 THEN
    -- Take turns with the other claimers of this source, so the checks below see every live lease.
    -- NO KEY UPDATE: inserts into prompt_runs (which only take KEY SHARE for the foreign key) go on.
    SELECT * INTO v_src FROM ai_sources s WHERE s.name = v_source FOR NO KEY UPDATE;
    IF v_src.min_interval_ms > 0 THEN
      IF v_src.last_claimed_at + make_interval(secs => v_src.min_interval_ms / 1000.0) > v_now THEN
        RETURN;
      END IF;
      v_limit := 1;
    END IF;
    IF v_src.max_concurrency IS NOT NULL THEN
      v_limit := least(v_limit, v_src.max_concurrency - (
        SELECT count(*) FROM prompt_runs r
        WHERE r.ai_source = v_source AND r.status = 'running' AND r.locked_until > v_now
      ));
      IF v_limit < 1 THEN
        RETURN;
      END IF;
    END IF;
  END IF;

  v_locked_by := avt_locked_by(claim_next_prompts.worker_id, claim_next_prompts.worker_tag);
  PERFORM set_config('synchronous_commit', 'off', true);

  -- Pick, lease and open the attempts in one statement.
  RETURN QUERY
  WITH next AS (
    SELECT r.id
    FROM prompt_runs r
    WHERE r.ai_source = v_source AND r.status = 'queued' AND r.run_after <= v_now
    ORDER BY r.priority DESC, r.run_after, r.id
    LIMIT v_limit
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE prompt_runs r
    SET status = 'running',
        attempts = r.attempts + 1,
        locked_by = v_locked_by,
        lease_token = gen_random_uuid(),
        locked_until = v_now + make_interval(secs => v_lease),
        started_at = v_now
    WHERE r.id = ANY (ARRAY(SELECT n.id FROM next n))
    RETURNING r.*
  ), opened AS (
    INSERT INTO run_attempts (run_id, attempt, worker, lease_token, started_at)
    SELECT c.id, c.attempts, v_locked_by, c.lease_token, v_now FROM claimed c
  )
  SELECT c.id, c.prompt_id, p.text, c.ai_source, c.round, c.sample, c.attempts, v_src.max_attempts,
         c.lease_token, c.locked_by, c.locked_until
  FROM claimed c
  JOIN prompts p ON p.id = c.prompt_id
  ORDER BY c.priority DESC, c.run_after, c.id;

  IF FOUND AND v_src.min_interval_ms > 0 THEN
    UPDATE ai_sources s SET last_claimed_at = v_now WHERE s.name = v_source;
  END IF;
END
$$;

-- The one-run form, kept as it was first published: operators' scripts and the tests call it.
CREATE OR REPLACE FUNCTION claim_next_prompt(
  worker_id integer,
  ai_source text,
  lease_seconds integer DEFAULT NULL,
  worker_tag text DEFAULT NULL,
  now timestamptz DEFAULT NULL
) RETURNS TABLE (
  run_id bigint,
  prompt_id uuid,
  prompt_text text,
  source text,
  round integer,
  sample integer,
  attempt integer,
  max_attempts integer,
  lease_token uuid,
  locked_by text,
  locked_until timestamptz
)
LANGUAGE sql VOLATILE AS $$
  SELECT * FROM claim_next_prompts(worker_id, ai_source, 1, lease_seconds, worker_tag, now)
$$;
