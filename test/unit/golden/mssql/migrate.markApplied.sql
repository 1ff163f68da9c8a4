UPDATE schema_migrations
SET state = @p0
WHERE version = @p1
