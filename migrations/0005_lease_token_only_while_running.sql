-- A lease token now exists exactly while a run is `running` (before, a token without locked_until was not
-- ruled out). The lease functions can then find a run by id and token alone: naming `status = 'running'`
-- there let the planner pick the partial index prompt_runs_leases_idx over the primary key and walk every
-- dead entry left in it since the last vacuum (20 ms per call after 15,000 jobs).
ALTER TABLE prompt_runs DROP CONSTRAINT prompt_runs_lease_only_while_running;
ALTER TABLE prompt_runs ADD CONSTRAINT prompt_runs_lease_only_while_running
  CHECK ((status = 'running') = (lease_token IS NOT NULL) AND (status = 'running') = (locked_until IS NOT NULL));
