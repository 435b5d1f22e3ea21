DROP TABLE models;
DROP TABLE users;
