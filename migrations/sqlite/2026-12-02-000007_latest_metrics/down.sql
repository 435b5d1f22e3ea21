ALTER TABLE models DROP COLUMN latest_metrics;
