-- Accounts (security issue, point 5; the SQLite twin of migrations/postgres).
-- `tokens_valid_after`: every token of the user issued up to this instant is refused (a
-- sign-out, or an admin ending the user's sessions); NULL until the first. `role_changes`: who
-- changed whose role, from what to what, when — written in the transaction of the change.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMP;

CREATE TABLE role_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    changed_by BIGINT NOT NULL REFERENCES users (id),
    from_role  TEXT NOT NULL CHECK (from_role IN ('viewer', 'engineer', 'approver', 'admin')),
    to_role    TEXT NOT NULL CHECK (to_role IN ('viewer', 'engineer', 'approver', 'admin')),
    changed_at TIMESTAMP NOT NULL
);

CREATE INDEX role_changes_user_idx ON role_changes (user_id, id);
CREATE INDEX users_admins_idx ON users (id) WHERE role = 'admin';
