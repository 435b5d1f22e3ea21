DROP TABLE deployment_history;
DROP TABLE evaluations;
DROP TABLE reference_uploads;
DROP TABLE reference_data;
DROP TABLE policy_versions;
DROP TABLE policies;
