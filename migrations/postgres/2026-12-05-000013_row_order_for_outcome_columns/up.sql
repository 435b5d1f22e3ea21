-- Row-order values are kept only for the columns an evaluation reads row by row (the
-- model's prediction, label and score; issue #17 part 2), so `ordered` may be NULL. The rows
-- stored before keep theirs.
ALTER TABLE reference_columns ALTER COLUMN ordered DROP NOT NULL;
