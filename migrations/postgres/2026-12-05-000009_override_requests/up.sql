-- Four-eyes overrides (issue #19, part 1). An approver's override of a model whose risk tier
-- needs two approvers is a pending request, bound to the evaluation and policy versions it
-- overrides, until a second approver approves it (the deploy happens) or someone rejects it;
-- it expires, and a newer evaluation voids it. Every change of its state is also a row of the
-- hash-chained history: the history gets four outcomes and, on those rows and on an approved
-- override's `overridden` row, the request's id and requester. Changing a CHECK and adding
-- columns is no UPDATE: the append-only triggers do not fire, and old rows keep their hashes
-- (the chain covers the new columns only when present).
ALTER TABLE deployment_history DROP CONSTRAINT deployment_history_outcome_check;
ALTER TABLE deployment_history ADD CONSTRAINT deployment_history_outcome_check CHECK (outcome IN (
    'deployed', 'blocked', 'overridden', 'superseded', 'retired',
    'override_requested', 'override_rejected', 'override_expired', 'override_voided'));
ALTER TABLE deployment_history ADD COLUMN override_request_id BIGINT;
ALTER TABLE deployment_history ADD COLUMN override_requested_by BIGINT;

-- The requests themselves: the state the history's rows record, kept where it can change.
-- They go with their model (the history keeps their trail).
CREATE TABLE override_requests (
    id               BIGSERIAL PRIMARY KEY,
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
-- The list by state and by model, newest first, are index walks.
CREATE INDEX override_requests_status_idx ON override_requests (status, id);
CREATE INDEX override_requests_model_idx ON override_requests (model_id, id);
