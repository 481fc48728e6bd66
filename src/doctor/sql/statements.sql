-- This database's slowest statements by mean time (pg_stat_statements), leaving out transaction control and
-- session settings, which are quick and many.
SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS query,
       calls,
       round(mean_exec_time::numeric, 1)::float8 AS mean_ms,
       round(total_exec_time::numeric)::float8 AS total_ms
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND calls >= $1
  AND query !~* '^\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|RESET|LISTEN|UNLISTEN|DISCARD|DEALLOCATE)\M'
ORDER BY mean_exec_time DESC
LIMIT $2
