-- Signed checkpoints of the deployment history's head (see crates/audit/src/checkpoint.rs):
-- one per appended row, written in the append's transaction, signed with a key kept outside
-- the database. No foreign key to deployment_history: a checkpoint must outlive the rows it
-- names, so that cutting them off shows. Append-only, like the history.
CREATE TABLE audit_checkpoints (
    last_id    BIGINT PRIMARY KEY,
    head_hash  TEXT NOT NULL,
    row_count  BIGINT NOT NULL CHECK (row_count >= 1),
    signed_at  TIMESTAMP NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL
);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only: % is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_checkpoints_no_change
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
