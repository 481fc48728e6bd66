-- Runs of `avt reextract` (and of the reextract_answers task): which answers they read again, and how far
-- they got. A run with the same filters that did not finish is resumed from `after_id`; the cursor moves in
-- the transaction that applies each batch, so no batch is applied twice or skipped.
CREATE TABLE reextractions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- {"since": "2026-09-01", "until": null, "ai_source": null, "brand": null}
  filters      jsonb NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  -- The highest responses.id done so far (answers are read in id order).
  after_id     bigint NOT NULL DEFAULT 0,
  examined     bigint NOT NULL DEFAULT 0,
  changed      bigint NOT NULL DEFAULT 0
);

CREATE INDEX reextractions_unfinished_idx ON reextractions (filters) WHERE finished_at IS NULL;
