-- The SQLite twin of migrations/postgres: the reference data of a model version prepared for
-- evaluations (issue #17 part 2), one row per column in file order: what drift reads
-- (`prepared`) and the values in row order (`ordered`), in the application's own versioned
-- layout (crates/app/src/prepared). A reference stored before this migration has no rows
-- here and is prepared on first use.
CREATE TABLE reference_columns (
    model_id BIGINT NOT NULL REFERENCES reference_data (model_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT NOT NULL,
    prepared BLOB NOT NULL,
    ordered  BLOB NOT NULL,
    PRIMARY KEY (model_id, position)
);
