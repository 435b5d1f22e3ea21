-- The SQLite twin of migrations/postgres: the metric map of each model's latest evaluation,
-- so that a policy simulation reads one small JSON object a model from one table.
ALTER TABLE models ADD COLUMN latest_metrics TEXT;

UPDATE models SET
    latest_metrics = COALESCE((SELECT json_extract(e.result, '$.metrics') FROM evaluations e
                               WHERE e.id = models.latest_evaluation_id), '{}')
WHERE latest_evaluation_id IS NOT NULL;
