INSERT INTO tokens (id, token_hash, user_name, role, created_at, revoked_at)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
