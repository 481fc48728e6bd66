-- The least-privilege roles (docs/security.md): avt_worker (the queue's functions, the rows a worker reads),
-- avt_api (what `avt serve` reads, and its actions through functions) and avt_reader (the analysts' views).
-- Created NOLOGIN: an operator gives one a login (ALTER ROLE avt_api LOGIN PASSWORD '...') or grants it to a
-- login role. What each may do is granted per database by sql/900_roles.sql, re-applied with sql/ (the views
-- it grants on are made again then).
--
-- Roles belong to the cluster, not to this database: another database of the same cluster may have made them
-- already, or be making them in this very moment (its CREATE ROLE then ends ours with unique_violation once
-- it commits). Either way they are there, which is all this needs. A migrating user who may not create roles
-- (no CREATEROLE) stops here with the statements a superuser runs once for the cluster; then migrate again.
DO $$
DECLARE
  v_role text;
BEGIN
  FOREACH v_role IN ARRAY ARRAY['avt_worker', 'avt_api', 'avt_reader'] LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v_role);
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN
        NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'migration 0011_roles: % may not create roles, and the role % does not exist', current_user, v_role
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'have a superuser (or a role with CREATEROLE) run once for the cluster: '
                       'CREATE ROLE avt_worker NOLOGIN; CREATE ROLE avt_api NOLOGIN; CREATE ROLE avt_reader NOLOGIN; '
                       'then migrate again (docs/security.md)';
    END;
  END LOOP;
END
$$;
