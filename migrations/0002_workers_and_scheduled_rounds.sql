-- Worker processes announce themselves here and keep last_seen_at fresh; `avt status` lists them.
CREATE TABLE workers (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_id     integer NOT NULL,
  ai_source     text NOT NULL REFERENCES ai_sources (name) ON UPDATE CASCADE,
  -- the value claims write into prompt_runs.locked_by
  locked_by     text NOT NULL UNIQUE,
  host          text NOT NULL,
  pid           integer NOT NULL,
  version       text NOT NULL,
  concurrency   integer NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at    timestamptz
);

CREATE INDEX workers_last_seen_idx ON workers (last_seen_at DESC);

-- A scheduled round is made once per cron tick however many replicas fire it.
ALTER TABLE rounds ADD COLUMN scheduled_for timestamptz UNIQUE;

-- A run whose failure is not the prompt's fault (rate limit, captcha, login wall) is retried without
-- spending one of its attempts.
ALTER TABLE error_kinds ADD COLUMN charges_attempt boolean NOT NULL DEFAULT true;
UPDATE error_kinds SET charges_attempt = false WHERE kind IN ('rate_limited', 'captcha', 'login_required');
