-- Policies and their versions, reference data, evaluations and the deployment history.
-- Types are the portable ones of crates/storage/src/schema.rs; JSON is kept as TEXT.

-- A policy's current state; its content lives in policy_versions (one row per version,
-- never changed), the latest being current_version.
CREATE TABLE policies (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    applies_to      TEXT NOT NULL,
    current_version BIGINT NOT NULL CHECK (current_version >= 1),
    created_by      BIGINT REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE policy_versions (
    policy_id   BIGINT NOT NULL REFERENCES policies (id),
    version     BIGINT NOT NULL CHECK (version >= 1),
    name        TEXT NOT NULL,
    description TEXT,
    applies_to  TEXT NOT NULL,
    rules       TEXT NOT NULL,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT policy_versions_policy_version_key PRIMARY KEY (policy_id, version)
);

-- The reference data of a model version (compressed), and the history of its uploads.
CREATE TABLE reference_data (
    model_id    BIGINT PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    data        BYTEA NOT NULL,
    sha256      TEXT NOT NULL,
    rows        BIGINT NOT NULL,
    profile     TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);

CREATE TABLE reference_uploads (
    id          BIGSERIAL PRIMARY KEY,
    model_id    BIGINT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL,
    rows        BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX reference_uploads_model_idx ON reference_uploads (model_id, id);

CREATE TABLE evaluations (
    id              BIGSERIAL PRIMARY KEY,
    model_id        BIGINT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
    risk_score      DOUBLE PRECISION NOT NULL,
    result          TEXT NOT NULL,
    policy_versions TEXT NOT NULL,
    created_by      BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_model_created_idx ON evaluations (model_id, created_at, id);
CREATE INDEX evaluations_created_idx ON evaluations (created_at);

-- The append-only, hash-chained deployment history. Ids are chosen by the appender (the
-- head's id + 1) under a lock; no foreign key on model_id, so that the trail outlives the
-- model. A unique prev_hash makes a fork impossible even if the lock were bypassed.
CREATE TABLE deployment_history (
    id                BIGINT PRIMARY KEY,
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
    hash              TEXT NOT NULL
);
CREATE INDEX deployment_history_model_idx ON deployment_history (model_id, id);
CREATE INDEX deployment_history_deployed_at_idx ON deployment_history (deployed_at, id);
CREATE INDEX deployment_history_outcome_idx ON deployment_history (outcome, id);

CREATE FUNCTION deployment_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'deployment_history is append-only: % is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deployment_history_no_change
    BEFORE UPDATE OR DELETE ON deployment_history
    FOR EACH ROW EXECUTE FUNCTION deployment_history_append_only();
CREATE TRIGGER deployment_history_no_truncate
    BEFORE TRUNCATE ON deployment_history
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_history_append_only();

-- The default policy of SPEC §2 (governance's PolicyDraft::default_policy; a storage test
-- keeps the two equal).
INSERT INTO policies (name, description, active, applies_to, current_version, created_by, created_at, updated_at)
VALUES ('Default policy',
        'Built-in baseline: blocks heavy drift, disparate impact under the four-fifths rule and a risk score over 70; warns on moderate drift, unequal odds and an accuracy drop.',
        TRUE, '{"risk_tiers":[]}', 1, NULL, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC');
INSERT INTO policy_versions (policy_id, version, name, description, applies_to, rules, created_by, created_at)
SELECT id, 1, name, description, applies_to,
       '[{"metric":"drift.share","op":"<","threshold":0.5,"severity":"block","required":false},{"metric":"drift.share","op":"<","threshold":0.25,"severity":"warn","required":false},{"metric":"fairness.disparate_impact","op":">=","threshold":0.8,"severity":"block","required":false},{"metric":"fairness.equalized_odds_difference","op":"<=","threshold":0.1,"severity":"warn","required":false},{"metric":"performance.accuracy_drop","op":"<=","threshold":0.05,"severity":"warn","required":false},{"metric":"risk.score","op":"<=","threshold":70.0,"severity":"block","required":false}]',
       NULL, created_at
FROM policies;
