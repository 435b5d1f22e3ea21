DROP TABLE deployment_history;
DROP FUNCTION deployment_history_append_only();
DROP TABLE evaluations;
DROP TABLE reference_uploads;
DROP TABLE reference_data;
DROP TABLE policy_versions;
DROP TABLE policies;
