-- The reads of `avt serve` that are not daily figures, each within its window:
-- the answers, newest first, paged by (captured_at, id) (avt_api_answers: a 50-answer page at 1 M answers
-- reads 3 ms instead of sorting the whole window);
CREATE INDEX responses_captured_idx ON responses (captured_at, id);
-- the dead runs, newest first, as the API pages through them (list_dead_runs) and retries them
-- (retry_dead_runs): without it, both read all of prompt_runs.
CREATE INDEX prompt_runs_dead_idx ON prompt_runs ((coalesce(finished_at, created_at)) DESC, id DESC)
WHERE status = 'dead';
