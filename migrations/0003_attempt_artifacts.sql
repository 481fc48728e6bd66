-- Where a failed attempt's screenshot, page HTML (and trace) were written: ARTIFACTS_DIR/<run_id>/<attempt>/.
ALTER TABLE run_attempts ADD COLUMN artifacts_path text;
