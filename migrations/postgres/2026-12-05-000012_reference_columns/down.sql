DROP TABLE reference_columns;
