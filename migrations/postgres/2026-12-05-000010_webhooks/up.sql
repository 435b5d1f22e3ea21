-- Signed webhooks (issue #19, part 3): the endpoints admins register, the outbox of events
-- and one delivery row per (event, endpoint subscribed to it when the event was raised).
-- Events and their deliveries are written in the transaction of the write that raised them.

CREATE TABLE webhook_endpoints (
    id          BIGSERIAL PRIMARY KEY,
    url         TEXT NOT NULL,
    -- JSON array of event names, e.g. ["deployment.blocked","policy.changed"].
    events      TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('json', 'slack', 'teams')),
    description TEXT,
    -- The HMAC signing secret: kept to sign with (it cannot be hashed), shown once.
    secret      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE webhook_events (
    id          BIGSERIAL PRIMARY KEY,
    -- A UUID: the X-DriftGuard-Event-Id header and the body's `id`.
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('evaluation.failed', 'evaluation.warned',
        'deployment.blocked', 'deployment.overridden', 'override.requested', 'policy.changed')),
    data        TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL REFERENCES webhook_events (id),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    -- Counted when an attempt starts, so that a delivery that crashes its sender is not
    -- retried for ever.
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A claimant holds the delivery until then; after it, another may claim it again.
    lease_until     TIMESTAMP,
    lease_token     TEXT,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (event_id, endpoint_id)
);

-- The worker's question: which pending deliveries are due.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
-- An endpoint's delivery log, newest first.
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);
