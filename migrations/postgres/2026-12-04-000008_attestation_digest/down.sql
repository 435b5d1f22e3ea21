ALTER TABLE deployment_history DROP COLUMN artifact_digest;
