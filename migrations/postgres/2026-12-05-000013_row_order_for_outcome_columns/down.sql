-- Every row-order value required again: the prepared columns are emptied and each reference
-- is prepared again on its first use.
DELETE FROM reference_columns;
ALTER TABLE reference_columns ALTER COLUMN ordered SET NOT NULL;
