-- What the roles of migrations/0011_roles.sql may do in this database (docs/security.md), and nothing more:
-- their grants here are taken back first and given again, so they are exactly what this file says. Applied
-- last, each time sql/ is applied, because the views are made again then and lose their grants.
--
-- Writes go through functions. A function marked SECURITY DEFINER runs with the rights of its owner (the
-- user who migrates), so a role allowed to call it needs no right on the tables the function writes. Each
-- one is closed to PUBLIC, opened below to the one role that calls it, and runs with a fixed search_path
-- (this schema, then pg_temp last), so that nothing a caller creates can stand in for one of our objects.
-- Reads are SELECT grants. A monthly partition needs none of its own: privileges are checked on the table a
-- query names, and every read names the partitioned parent (responses, brand_mentions, ...), so partitions
-- made later (create_month_partitions) are read through grants given before they existed.
DO $$
DECLARE
  v_function regprocedure;
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO avt_worker, avt_api, avt_reader', current_schema());
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM avt_worker, avt_api, avt_reader', current_schema());
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM avt_worker, avt_api, avt_reader', current_schema());
  FOR v_function IN
    SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', v_function, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_function);
  END LOOP;
END
$$;

-- avt_worker: a worker process started with --no-migrate --no-maintenance. It claims, heartbeats, commits,
-- fails (with the alerts and pauses that brings) and releases runs, and spaces its LLM requests, through the
-- queue's functions; reads the sources, the brands its extractor looks for, and the prompts; and keeps its
-- own row in `workers` (src/db/workers.ts: registered, touched every 10 s, stopped on exit).
GRANT EXECUTE ON FUNCTION
  claim_next_prompts(integer, text, integer, integer, text, timestamptz),
  heartbeat_prompt_run(bigint, uuid, integer),
  complete_prompt_run(bigint, uuid),
  commit_prompt_run_results(jsonb),
  fail_prompt_run(bigint, uuid, text, text, integer),
  record_prompt_run_failures(jsonb),
  release_prompt_run(bigint, uuid),
  reserve_llm_slot(text, integer, integer)
TO avt_worker;
GRANT SELECT ON ai_sources, brands, prompts TO avt_worker;
GRANT SELECT (id, locked_by),
      INSERT (worker_id, ai_source, locked_by, host, pid, version, concurrency, db_connections),
      UPDATE (last_seen_at, stopped_at)
ON workers TO avt_worker;

-- avt_api: `avt serve`. Reads what the API, the dashboard, /metrics and /readyz show (src/serve/queries,
-- sql/150, 160, 165, 170's list_dead_runs, the queue and the workers) and the schema revision that start-up
-- checks (src/db/migrate.ts); acts through sql/170's functions: retry dead runs, pause and resume a source,
-- enqueue prompts, import brands.
GRANT EXECUTE ON FUNCTION
  retry_dead_runs(text, timestamptz, bigint[]),
  pause_source(text, timestamptz, text),
  resume_source(text),
  enqueue_prompts(jsonb),
  import_brands(jsonb)
TO avt_api;
GRANT SELECT ON
  ai_sources, categories, brands, prompts, prompt_runs, run_attempts, workers,
  responses, brand_mentions, citations, discovered_competitors,
  daily_answers, daily_brand_mentions, daily_cited_domains, daily_brand_citations, results_edits,
  queue_health, brand_visibility, citation_domains, brand_citations,
  avt_migrations, avt_sql_state
TO avt_api;

-- avt_reader: the analysts' views (docs/numbers.md, docs/queue.md), and through them nothing else.
GRANT SELECT ON
  brand_visibility, citation_domains, brand_citations,
  brand_visibility_recomputed, citation_domains_recomputed, brand_citations_recomputed,
  queue_health
TO avt_reader;
