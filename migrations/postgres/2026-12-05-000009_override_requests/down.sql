-- Refused while the history holds rows of the four-eyes outcomes (the CHECK would not hold,
-- and the history is append-only).
DROP TABLE override_requests;
ALTER TABLE deployment_history DROP COLUMN override_requested_by;
ALTER TABLE deployment_history DROP COLUMN override_request_id;
ALTER TABLE deployment_history DROP CONSTRAINT deployment_history_outcome_check;
ALTER TABLE deployment_history ADD CONSTRAINT deployment_history_outcome_check
    CHECK (outcome IN ('deployed', 'blocked', 'overridden', 'superseded', 'retired'));
