INSERT INTO change_log (seq, entity, entity_id, changeset_id, at)
VALUES (CAST(@p0 AS BIGINT), @p1, @p2, @p3, @p4)
