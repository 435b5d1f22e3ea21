-- The SQLite twin of migrations/postgres: per-model violation counts of the latest evaluation,
-- so that the dashboard summary is one GROUP BY over models.
ALTER TABLE models ADD COLUMN latest_drift_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_fairness_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_performance_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_risk_violations BIGINT NOT NULL DEFAULT 0;

UPDATE models SET
    latest_drift_violations = (SELECT count(*) FROM evaluations e, json_each(e.result, '$.violations') v
                               WHERE e.id = models.latest_evaluation_id AND json_extract(v.value, '$.type') = 'drift'),
    latest_fairness_violations = (SELECT count(*) FROM evaluations e, json_each(e.result, '$.violations') v
                                  WHERE e.id = models.latest_evaluation_id AND json_extract(v.value, '$.type') = 'fairness'),
    latest_performance_violations = (SELECT count(*) FROM evaluations e, json_each(e.result, '$.violations') v
                                     WHERE e.id = models.latest_evaluation_id AND json_extract(v.value, '$.type') = 'performance'),
    latest_risk_violations = (SELECT count(*) FROM evaluations e, json_each(e.result, '$.violations') v
                              WHERE e.id = models.latest_evaluation_id AND json_extract(v.value, '$.type') = 'risk')
WHERE latest_evaluation_id IS NOT NULL;

-- GET /models?sort=name pages by (name, version); with the id in the index a page's ids come
-- from an index-only walk (see crates/storage/src/models.rs, list).
CREATE INDEX models_name_version_id_idx ON models (name, version, id);
