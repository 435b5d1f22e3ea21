-- Issue #10. A policy's `active` is part of its content: each version records it, and a change
-- of `active` writes a version like any other edit. Versions written before this migration
-- were all written active; a policy switched off since gets one more version saying so.
ALTER TABLE policy_versions ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

INSERT INTO policy_versions (policy_id, version, name, description, applies_to, rules, created_by, created_at, active)
SELECT pv.policy_id, pv.version + 1, pv.name, pv.description, pv.applies_to, pv.rules, pv.created_by, p.updated_at, FALSE
FROM policies p JOIN policy_versions pv ON pv.policy_id = p.id AND pv.version = p.current_version
WHERE NOT p.active;

UPDATE policies SET current_version = current_version + 1 WHERE NOT active;

-- Model names are any printable Unicode now; `q` searches a lower-cased copy made in Rust
-- (neither SQLite's lower() nor PostgreSQL's under the C locale folds beyond ASCII). Names
-- so far were ASCII, so lower() fills it exactly.
ALTER TABLE models ADD COLUMN name_search TEXT NOT NULL DEFAULT '';
UPDATE models SET name_search = lower(name);
