-- Every row-order value required again: emptied, prepared again on first use.
DROP TABLE reference_columns;
CREATE TABLE reference_columns (
    model_id BIGINT NOT NULL REFERENCES reference_data (model_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT NOT NULL,
    prepared BLOB NOT NULL,
    ordered  BLOB NOT NULL,
    PRIMARY KEY (model_id, position)
);
