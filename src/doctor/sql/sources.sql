-- Each source with its queue (queue_health), pause and live workers (seen within the last minute).
SELECT h.ai_source,
       h.enabled,
       h.paused_until > now() AS paused,
       h.paused_until,
       s.pause_reason,
       h.eligible::int AS eligible,
       h.running::int AS running,
       (SELECT count(*) FROM workers w
        WHERE w.ai_source = h.ai_source AND w.stopped_at IS NULL
          AND w.last_seen_at > now() - interval '1 minute')::int AS live_workers
FROM queue_health h
JOIN ai_sources s ON s.name = h.ai_source
ORDER BY h.ai_source
