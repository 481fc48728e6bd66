-- The migrator's own tables, made before any migration runs (src/db/migrate.ts runs this on every migrate).
CREATE TABLE IF NOT EXISTS avt_migrations (
  id integer PRIMARY KEY,
  name text NOT NULL,
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS avt_sql_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The schema revision in place (sql/REVISION) and the oldest revision whose code runs against it. A database
-- from before revisions holds 0, which any build replaces.
ALTER TABLE avt_sql_state
  ADD COLUMN IF NOT EXISTS revision integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS compatible_from integer NOT NULL DEFAULT 0;

-- The database itself keeps the revision moving forward, so that a build from before revisions (which
-- re-applied its own sql/ whenever the hash differed) cannot put older functions back: its upsert of the
-- state row fails, and with it the transaction that re-applied its sql/.
CREATE OR REPLACE FUNCTION avt_sql_state_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision < OLD.revision OR (NEW.revision = OLD.revision AND NEW.sha256 <> OLD.sha256) THEN
    RAISE EXCEPTION 'schema revision % is in place; this build''s sql/ is older, or was edited without raising sql/REVISION, and is not applied', OLD.revision
      USING ERRCODE = 'check_violation',
            HINT = 'upgrade this build; a developer who changed sql/ raises the revision in sql/REVISION';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER avt_sql_state_forward_only
BEFORE UPDATE ON avt_sql_state
FOR EACH ROW EXECUTE FUNCTION avt_sql_state_forward_only();
