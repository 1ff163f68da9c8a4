-- disputed: null keeps the flag (disputed = disputed); the delta is bound three times.
UPDATE documents
SET open_minor = open_minor + CAST(@p0 AS BIGINT), activity_date = @p1, disputed = disputed, version = version + 1, change_seq = CAST(@p2 AS BIGINT)
WHERE id = @p3 AND version = @p4
  AND open_minor + CAST(@p5 AS BIGINT) >= 0
  AND open_minor + CAST(@p6 AS BIGINT) <= amount_minor
