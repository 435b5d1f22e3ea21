-- The dashboard's per-model figures: how many violations of each type the model's latest
-- evaluation had, kept beside the other latest_* columns so that the summary is one
-- GROUP BY over models instead of a JSON scan of every latest evaluation.
ALTER TABLE models ADD COLUMN latest_drift_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_fairness_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_performance_violations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN latest_risk_violations BIGINT NOT NULL DEFAULT 0;

-- Models evaluated before this migration: count from their latest evaluation's result.
UPDATE models AS m SET
    latest_drift_violations = (SELECT count(*) FROM evaluations e, json_array_elements(e.result::json -> 'violations') v
                               WHERE e.id = m.latest_evaluation_id AND v ->> 'type' = 'drift'),
    latest_fairness_violations = (SELECT count(*) FROM evaluations e, json_array_elements(e.result::json -> 'violations') v
                                  WHERE e.id = m.latest_evaluation_id AND v ->> 'type' = 'fairness'),
    latest_performance_violations = (SELECT count(*) FROM evaluations e, json_array_elements(e.result::json -> 'violations') v
                                     WHERE e.id = m.latest_evaluation_id AND v ->> 'type' = 'performance'),
    latest_risk_violations = (SELECT count(*) FROM evaluations e, json_array_elements(e.result::json -> 'violations') v
                              WHERE e.id = m.latest_evaluation_id AND v ->> 'type' = 'risk')
WHERE m.latest_evaluation_id IS NOT NULL;

-- GET /models?sort=name pages by (name, version); with the id in the index a page's ids come
-- from an index-only walk (see crates/storage/src/models.rs, list).
CREATE INDEX models_name_version_id_idx ON models (name, version, id);
