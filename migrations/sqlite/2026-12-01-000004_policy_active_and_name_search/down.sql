ALTER TABLE models DROP COLUMN name_search;
DELETE FROM policy_versions WHERE NOT active;
UPDATE policies SET current_version = (SELECT max(version) FROM policy_versions pv WHERE pv.policy_id = policies.id);
ALTER TABLE policy_versions DROP COLUMN active;
