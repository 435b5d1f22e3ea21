-- The SQLite twin of migrations/postgres: row-order values are kept only for the columns an
-- evaluation reads row by row (issue #17 part 2), so `ordered` may be NULL. SQLite cannot
-- drop a NOT NULL constraint in place; the table holds only what is derived from
-- reference_data, so it is made again empty, and each reference is prepared again on its
-- first use (as one stored before migration 000012 is).
DROP TABLE reference_columns;
CREATE TABLE reference_columns (
    model_id BIGINT NOT NULL REFERENCES reference_data (model_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT NOT NULL,
    prepared BLOB NOT NULL,
    ordered  BLOB,
    PRIMARY KEY (model_id, position)
);
