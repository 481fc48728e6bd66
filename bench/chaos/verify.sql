-- What a chaos scenario must leave behind: every run ended (done, or dead only where the prompt asked the mock
-- for a permanent fault), one response per done run and none for any other, one closed run_attempts row per
-- attempt (released attempts are not charged, so they are not counted against prompt_runs.attempts). Counts
-- are integers, so the client reads numbers.
WITH runs AS (
  SELECT r.id, r.status, r.attempts, p.text LIKE '%[[fault:%' AS faulty,
    (SELECT count(*) FROM responses s WHERE s.run_id = r.id) AS responses,
    (SELECT count(*) FROM run_attempts a WHERE a.run_id = r.id AND a.outcome IS DISTINCT FROM 'released') AS charged,
    (SELECT count(*) FROM run_attempts a WHERE a.run_id = r.id AND a.outcome = 'done') AS done_attempts
  FROM prompt_runs r JOIN prompts p ON p.id = r.prompt_id
)
SELECT
  count(*)::int AS runs,
  count(*) FILTER (WHERE status = 'done')::int AS done,
  count(*) FILTER (WHERE status = 'dead')::int AS dead,
  count(*) FILTER (WHERE faulty)::int AS faulty,
  count(*) FILTER (WHERE status = 'running')::int AS running,
  count(*) FILTER (WHERE status NOT IN ('done', 'dead', 'running'))::int AS unfinished,
  count(*) FILTER (WHERE status = 'dead' AND NOT faulty)::int AS dead_unasked,
  count(*) FILTER (WHERE status = 'done' AND faulty)::int AS done_despite_fault,
  count(*) FILTER (WHERE responses > 1)::int AS duplicated,
  count(*) FILTER (WHERE status = 'done' AND responses = 0)::int AS done_without_response,
  count(*) FILTER (WHERE status <> 'done' AND responses > 0)::int AS response_not_done,
  count(*) FILTER (WHERE charged <> attempts)::int AS attempts_mismatch,
  count(*) FILTER (WHERE status = 'done' AND done_attempts <> 1)::int AS done_attempt_mismatch,
  (SELECT count(*) FROM run_attempts)::int AS attempt_rows,
  (SELECT count(*) FROM run_attempts WHERE outcome IS NULL OR finished_at IS NULL)::int AS open_attempts,
  (SELECT count(*) FROM run_attempts WHERE outcome = 'lease_expired')::int AS lease_expired,
  (SELECT count(*) FROM run_attempts WHERE outcome = 'released')::int AS released,
  (SELECT count(*) FROM run_attempts WHERE outcome = 'retry')::int AS retried
FROM runs;
