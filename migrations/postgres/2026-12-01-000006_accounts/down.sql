DROP INDEX users_admins_idx;
DROP TABLE role_changes;
ALTER TABLE users DROP COLUMN tokens_valid_after;
