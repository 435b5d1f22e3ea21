-- The SQLite twin of migrations/postgres: the artefact digest a deploy names, NULL before it
-- existed and when none is named (the hash chain covers it only when present).
ALTER TABLE deployment_history ADD COLUMN artifact_digest TEXT;
