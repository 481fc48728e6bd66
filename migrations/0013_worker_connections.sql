-- The connections each worker process may open (its pool's size and its LISTEN session), recorded when it
-- registers, so that `avt doctor` can add up what the live workers may take against the server's
-- max_connections before a scale-up finds the limit. Rows of workers that registered before this column are
-- left NULL (unknown), and drop out of the sum as they stop.
ALTER TABLE workers ADD COLUMN db_connections integer CHECK (db_connections > 0);
COMMENT ON COLUMN workers.db_connections IS
  'database connections this process may open (DB_POOL_MAX + its LISTEN session); NULL: registered before it was recorded';
