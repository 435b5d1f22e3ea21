-- The digest of the model artefact a deploy names (`sha256:` and 64 hex digits), the subject
-- of the decision's signed attestation. NULL for every row written before it, and for a deploy
-- that named none: the hash chain covers it only when present, so old rows keep their hashes.
-- Adding a column is no UPDATE: the append-only triggers do not fire.
ALTER TABLE deployment_history ADD COLUMN artifact_digest TEXT;
