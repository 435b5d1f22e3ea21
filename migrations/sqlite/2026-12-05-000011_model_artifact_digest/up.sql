-- The SQLite twin of migrations/postgres: a model version's artefact digest, NULL when none
-- was given; the subject of the attestation of a deploy that names none of its own.
ALTER TABLE models ADD COLUMN artifact_digest TEXT;
