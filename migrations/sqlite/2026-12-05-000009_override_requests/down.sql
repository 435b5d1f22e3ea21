-- Refused while the history holds rows of the four-eyes outcomes (the rebuilt table's CHECK
-- would not hold them).
DROP TABLE override_requests;
CREATE TABLE deployment_history_old (
    id                INTEGER PRIMARY KEY,
    model_id          BIGINT NOT NULL,
    deployed_at       TIMESTAMP NOT NULL,
    deployed_by       BIGINT NOT NULL,
    environment       TEXT NOT NULL,
    previous_status   TEXT NOT NULL,
    new_status        TEXT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN ('deployed', 'blocked', 'overridden', 'superseded', 'retired')),
    governance_result TEXT NOT NULL,
    override_used     BOOLEAN NOT NULL,
    override_reason   TEXT,
    notes             TEXT,
    policy_versions   TEXT NOT NULL,
    prev_hash         TEXT NOT NULL UNIQUE,
    hash              TEXT NOT NULL,
    artifact_digest   TEXT
);
INSERT INTO deployment_history_old SELECT id, model_id, deployed_at, deployed_by, environment,
    previous_status, new_status, outcome, governance_result, override_used, override_reason,
    notes, policy_versions, prev_hash, hash, artifact_digest
FROM deployment_history;
DROP TABLE deployment_history;
ALTER TABLE deployment_history_old RENAME TO deployment_history;
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
