-- The metric map of each model's latest evaluation, beside the other latest_* columns, so that
-- a policy simulation reads every model's metrics from one table (one small JSON object a
-- model) instead of every latest evaluation's whole result.
ALTER TABLE models ADD COLUMN latest_metrics TEXT;

-- Models evaluated before this migration: copied from their latest evaluation's result.
UPDATE models AS m SET
    latest_metrics = COALESCE((SELECT (e.result::json -> 'metrics')::text FROM evaluations e
                               WHERE e.id = m.latest_evaluation_id), '{}')
WHERE m.latest_evaluation_id IS NOT NULL;
