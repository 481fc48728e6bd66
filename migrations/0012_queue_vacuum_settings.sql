-- Autovacuum of the queue's two busy tables by a fixed number of dead tuples, not by a share of the table
-- (docs/performance.md, "Soak"). Every job leaves two dead versions of its run (claim, done) and one of its
-- attempt, and the claim's index scan walks past the dead entries of every run claimed since the last vacuum
-- before it reaches a queued one. The default trigger, 50 + 20% of the table's rows, grows with the done runs
-- the table keeps: with a million kept, 200,000 jobs go by between vacuums, and the claim slows as they do.
-- A fixed threshold vacuums at every autovacuum visit (autovacuum_naptime) once 5,000 tuples are dead, however
-- long the history; a vacuum then has a minute's entries to remove.
--
-- Inserts likewise: after 50,000 of them (new runs, opened attempts), whatever the size, so that the visibility
-- map stays current for the index-only counts of the queue (queue_health, a scaler's count) and old rows are
-- frozen a little at a time.
--
-- run_attempts keeps a tenth of each page free: the update that closes an attempt changes no indexed column,
-- so with room on its page it is a HOT update that adds no index entries. prompt_runs keeps the default:
-- its updates change `status`, which the partial indexes' predicates read, so none can be HOT, and pruning
-- already reuses the room a claimed run's old version leaves on its page. Both settings apply to pages
-- written from now on; rows in place stay where they are.
ALTER TABLE prompt_runs SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 50000
);

ALTER TABLE run_attempts SET (
  fillfactor = 90,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 50000
);
