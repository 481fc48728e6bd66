-- Whether the queue's two busy tables get vacuumed (docs/performance.md, "Soak"): the server's switches, each
-- table's own setting, its dead tuples and when a vacuum last ran.
SELECT current_setting('autovacuum') = 'on' AS server_autovacuum,
       current_setting('track_counts') = 'on' AS track_counts,
       s.relname AS table_name,
       coalesce(c.reloptions, '{}') @> '{autovacuum_enabled=false}' AS table_autovacuum_off,
       s.n_live_tup AS live,
       s.n_dead_tup AS dead,
       extract(epoch FROM now() - greatest(s.last_autovacuum, s.last_vacuum))::int AS since_vacuum_s
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = current_schema() AND s.relname IN ('prompt_runs', 'run_attempts')
ORDER BY s.relname
