ALTER TABLE models DROP COLUMN artifact_digest;
