-- Users and model versions; the SQLite twin of migrations/postgres (same tables, columns,
-- constraints and indexes; INTEGER PRIMARY KEY is SQLite's 64-bit rowid).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    full_name     TEXT,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'engineer', 'approver', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE models (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT NOT NULL,
    version              TEXT NOT NULL,
    description          TEXT,
    task                 TEXT NOT NULL CHECK (task IN ('binary_classification', 'regression')),
    risk_tier            TEXT NOT NULL CHECK (risk_tier IN ('low', 'medium', 'high', 'critical')),
    framework            TEXT,
    tags                 TEXT NOT NULL,
    owner_id             BIGINT NOT NULL REFERENCES users (id),
    status               TEXT NOT NULL CHECK (status IN ('registered', 'deployed', 'superseded', 'retired')),
    column_roles         TEXT NOT NULL,
    has_reference        BOOLEAN NOT NULL DEFAULT FALSE,
    latest_evaluation_id BIGINT,
    latest_status        TEXT,
    latest_risk_score    DOUBLE PRECISION,
    latest_evaluated_at  TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CONSTRAINT models_name_version_key UNIQUE (name, version)
);

CREATE INDEX models_created_idx ON models (created_at, id);
CREATE INDEX models_updated_idx ON models (updated_at, id);
CREATE INDEX models_status_created_idx ON models (status, created_at, id);
CREATE INDEX models_tier_created_idx ON models (risk_tier, created_at, id);
CREATE INDEX models_owner_idx ON models (owner_id);
CREATE UNIQUE INDEX models_one_deployed_per_name ON models (name) WHERE status = 'deployed';
