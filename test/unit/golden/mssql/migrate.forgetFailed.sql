DELETE FROM schema_migrations
WHERE version = @p0 AND state = @p1
