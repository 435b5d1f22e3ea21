-- The SQLite twin of migrations/postgres: the signed checkpoints of the history's head, and
-- the append-only triggers PostgreSQL has had on deployment_history since migration 2, on
-- both tables. (SQLite has no TRUNCATE: a DELETE without WHERE fires the DELETE trigger.)
CREATE TABLE audit_checkpoints (
    last_id    INTEGER PRIMARY KEY,
    head_hash  TEXT NOT NULL,
    row_count  BIGINT NOT NULL CHECK (row_count >= 1),
    signed_at  TIMESTAMP NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL
);

CREATE TRIGGER deployment_history_no_update BEFORE UPDATE ON deployment_history
BEGIN
    SELECT RAISE(ABORT, 'deployment_history is append-only: UPDATE is refused');
END;
CREATE TRIGGER deployment_history_no_delete BEFORE DELETE ON deployment_history
BEGIN
    SELECT RAISE(ABORT, 'deployment_history is append-only: DELETE is refused');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE is refused');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE is refused');
END;
