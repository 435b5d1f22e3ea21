-- The digest of a model version's artefact (`sha256:` and 64 lower-case hex digits), named at
-- registration or by an edit: the subject of the attestation of a deploy that names none of
-- its own. NULL when none was given. Each deploy keeps the digest it used in its history row.
ALTER TABLE models ADD COLUMN artifact_digest TEXT;
