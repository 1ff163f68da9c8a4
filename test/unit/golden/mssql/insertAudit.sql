INSERT INTO audit_log (at, user_name, action, entity, entity_id, changeset_id, detail)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)
