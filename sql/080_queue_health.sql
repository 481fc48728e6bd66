-- One row per source: what is waiting, running and finished, and how old the oldest waiting run is.
-- `eligible` is what KEDA's PostgreSQL scaler should read to size the worker replicas of a source.
CREATE OR REPLACE VIEW queue_health AS
SELECT s.name AS ai_source,
       s.enabled,
       s.paused_until,
       s.max_concurrency,
       count(r.id) FILTER (WHERE r.status = 'queued' AND r.run_after <= now()) AS eligible,
       count(r.id) FILTER (WHERE r.status = 'queued' AND r.run_after > now()) AS delayed,
       count(r.id) FILTER (WHERE r.status = 'running' AND r.locked_until > now()) AS running,
       count(r.id) FILTER (WHERE r.status = 'running' AND r.locked_until <= now()) AS expired_leases,
       count(r.id) FILTER (WHERE r.status = 'done') AS done,
       count(r.id) FILTER (WHERE r.status = 'dead') AS dead,
       count(r.id) FILTER (WHERE r.status = 'cancelled') AS cancelled,
       max(now() - r.run_after) FILTER (WHERE r.status = 'queued' AND r.run_after <= now()) AS oldest_eligible_age
FROM ai_sources s
LEFT JOIN prompt_runs r ON r.ai_source = s.name
GROUP BY s.name, s.enabled, s.paused_until, s.max_concurrency;
