-- The server's connection slots and who holds or may claim them: the live workers' recorded budgets
-- (workers.db_connections; concurrency + 5, their default, for workers registered before it was recorded),
-- the avt serve replicas (one LISTEN session each) and every other client connected now, server-wide.
WITH sessions AS (
  SELECT application_name AS app
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
), live AS (
  SELECT db_connections, concurrency
  FROM workers
  WHERE stopped_at IS NULL AND last_seen_at > now() - interval '1 minute'
)
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int
         + coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
       (SELECT count(*) FROM live)::int AS live_workers,
       (SELECT coalesce(sum(coalesce(db_connections, concurrency + 5)), 0) FROM live)::int AS workers_may_open,
       (SELECT count(*) FROM live WHERE db_connections IS NULL)::int AS workers_unrecorded,
       (SELECT count(*) FROM sessions WHERE app LIKE 'avt-worker:%')::int AS workers_in_use,
       (SELECT count(*) FROM sessions WHERE app = 'avt-serve:listen')::int AS serve_replicas,
       (SELECT count(*) FROM sessions WHERE app LIKE 'avt-serve%')::int AS serve_in_use,
       (SELECT count(*) FROM sessions
        WHERE app NOT LIKE 'avt-worker:%' AND app NOT LIKE 'avt-serve%')::int AS others_in_use
