INSERT INTO changesets (id, payload_hash, payload, result, user_name, created_at)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
