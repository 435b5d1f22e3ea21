DROP INDEX models_name_version_id_idx;
ALTER TABLE models DROP COLUMN latest_risk_violations;
ALTER TABLE models DROP COLUMN latest_performance_violations;
ALTER TABLE models DROP COLUMN latest_fairness_violations;
ALTER TABLE models DROP COLUMN latest_drift_violations;
