-- The schema the database holds: the sql/ revision and the migrations applied.
SELECT (SELECT revision FROM avt_sql_state) AS revision,
       (SELECT coalesce(array_agg(name ORDER BY id), '{}') FROM avt_migrations) AS migrations
