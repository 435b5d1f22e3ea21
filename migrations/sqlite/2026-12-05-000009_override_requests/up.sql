-- The SQLite twin of migrations/postgres (four-eyes overrides). SQLite cannot change a CHECK
-- in place, so the history is rebuilt with the four new outcomes and the two new columns:
-- copied row for row (same ids, hashes and values), the old table dropped (its triggers go
-- first, so the drop's implicit DELETE fires none), the new one renamed, then the indexes and
-- the append-only triggers made again. Nothing references the history by foreign key.
CREATE TABLE deployment_history_new (
    id                INTEGER PRIMARY KEY,
    model_id          BIGINT NOT NULL,
    deployed_at       TIMESTAMP NOT NULL,
    deployed_by       BIGINT NOT NULL,
    environment       TEXT NOT NULL,
    previous_status   TEXT NOT NULL,
    new_status        TEXT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN (
        'deployed', 'blocked', 'overridden', 'superseded', 'retired',
        'override_requested', 'override_rejected', 'override_expired', 'override_voided')),
    governance_result TEXT NOT NULL,
    override_used     BOOLEAN NOT NULL,
    override_reason   TEXT,
    notes             TEXT,
    policy_versions   TEXT NOT NULL,
    prev_hash         TEXT NOT NULL UNIQUE,
    hash              TEXT NOT NULL,
    artifact_digest   TEXT,
    override_request_id BIGINT,
    override_requested_by BIGINT
);
INSERT INTO deployment_history_new (id, model_id, deployed_at, deployed_by, environment,
    previous_status, new_status, outcome, governance_result, override_used, override_reason,
    notes, policy_versions, prev_hash, hash, artifact_digest)
SELECT id, model_id, deployed_at, deployed_by, environment, previous_status, new_status,
    outcome, governance_result, override_used, override_reason, notes, policy_versions,
    prev_hash, hash, artifact_digest
FROM deployment_history;
DROP TABLE deployment_history;
ALTER TABLE deployment_history_new RENAME TO deployment_history;
CREATE INDEX deployment_history_model_idx ON deployment_history (model_id, id);
CREATE INDEX deployment_history_deployed_at_idx ON deployment_history (deployed_at, id);
CREATE INDEX deployment_history_outcome_idx ON deployment_history (outcome, id);
CREATE TRIGGER deployment_history_no_update BEFORE UPDATE ON deployment_history
BEGIN
    SELECT RAISE(ABORT, 'deployment_history is append-only: UPDATE is refused');
END;
CREATE TRIGGER deployment_history_no_delete BEFORE DELETE ON deployment_history
BEGIN
    SELECT RAISE(ABORT, 'deployment_history is append-only: DELETE is refused');
END;

CREATE TABLE override_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id         BIGINT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    environment      TEXT NOT NULL,
    evaluation_id    BIGINT,
    policy_versions  TEXT NOT NULL,
    governance_result TEXT NOT NULL,
    justification    TEXT NOT NULL,
    notes            TEXT,
    artifact_digest  TEXT,
    requested_by     BIGINT NOT NULL REFERENCES users (id),
    requested_at     TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'voided')),
    decided_by       BIGINT REFERENCES users (id),
    decided_at       TIMESTAMP,
    decision_note    TEXT,
    deployment_id    BIGINT
);
CREATE INDEX override_requests_status_idx ON override_requests (status, id);
CREATE INDEX override_requests_model_idx ON override_requests (model_id, id);
