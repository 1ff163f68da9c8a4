INSERT INTO schema_migrations (version, name, checksum, state, applied_at)
VALUES (@p0, @p1, @p2, @p3, @p4)
