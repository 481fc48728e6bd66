-- Edits that change what avt serve shows without changing a figure (an answer's text, a prompt's text):
-- one row per editing statement, so that results_version() (sql/150) moves with them.
CREATE TABLE results_edits (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now()
);
