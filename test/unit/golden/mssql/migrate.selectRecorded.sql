SELECT version, name, checksum, state
FROM schema_migrations
ORDER BY version
