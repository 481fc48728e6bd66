-- Gives the least-privilege roles that `avt migrate` made (NOLOGIN, docs/security.md) a login, each with its
-- password from compose.yaml (psql --set): avt_worker for the workers, avt_api for avt serve, avt_reader
-- for analysts. Run by the compose `roles` service after each migration; running it again sets the same.
ALTER ROLE avt_worker LOGIN PASSWORD :'worker_password';
ALTER ROLE avt_api LOGIN PASSWORD :'api_password';
ALTER ROLE avt_reader LOGIN PASSWORD :'reader_password';
