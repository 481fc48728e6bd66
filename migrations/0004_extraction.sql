-- Brands an answer names that are not tracked, as the LLM extractor reports them: the competitors a user has
-- not thought of yet. No foreign key to responses (partitioned); written in the response's transaction.
CREATE TABLE discovered_competitors (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  response_id  bigint NOT NULL,
  name         text NOT NULL CHECK (length(btrim(name)) > 0),
  sentiment    text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX discovered_competitors_response_idx ON discovered_competitors (response_id);
CREATE INDEX discovered_competitors_name_idx ON discovered_competitors (lower(name));

-- The LLM API's rate limit, shared by every worker process: the earliest time the next request may be sent.
-- reserve_llm_slot() moves it forward one slot per request (sql/100_llm_rate_limit.sql).
CREATE TABLE llm_rate_limits (
  name     text PRIMARY KEY,
  next_at  timestamptz NOT NULL
);
