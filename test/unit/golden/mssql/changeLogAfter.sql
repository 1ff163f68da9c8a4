SELECT seq AS change_seq, entity, entity_id, changeset_id
FROM change_log
WHERE seq > CAST(@p0 AS BIGINT)
ORDER BY seq
OFFSET 0 ROWS FETCH NEXT @p1 ROWS ONLY
