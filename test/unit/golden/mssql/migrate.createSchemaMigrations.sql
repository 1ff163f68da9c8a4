-- Sent with Database.exec before anything else; no CREATE TABLE IF NOT EXISTS in T-SQL.
IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (
    version INT PRIMARY KEY, name NVARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL, state VARCHAR(10) NOT NULL, applied_at VARCHAR(30) NOT NULL)
