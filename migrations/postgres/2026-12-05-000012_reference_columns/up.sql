-- The reference data of a model version prepared for evaluations (issue #17 part 2), one row
-- per column in file order: what drift reads (`prepared`: the present numbers sorted, or
-- each category's count) and the values in row order (`ordered`), in the application's own
-- versioned layout (crates/app/src/prepared). Written in the upload's transaction; a
-- reference stored before this migration has no rows here and is prepared on first use.
CREATE TABLE reference_columns (
    model_id BIGINT NOT NULL REFERENCES reference_data (model_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT NOT NULL,
    prepared BYTEA NOT NULL,
    ordered  BYTEA NOT NULL,
    PRIMARY KEY (model_id, position)
);
-- Doubles do not compress: stored out of line as they are, without a compression attempt
-- on every write, and read back without decompressing.
ALTER TABLE reference_columns ALTER COLUMN prepared SET STORAGE EXTERNAL;
ALTER TABLE reference_columns ALTER COLUMN ordered SET STORAGE EXTERNAL;
