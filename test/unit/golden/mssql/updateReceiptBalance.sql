UPDATE receipts
SET unapplied_minor = unapplied_minor + CAST(@p0 AS BIGINT), activity_date = @p1, reversed = @p2, version = version + 1, change_seq = CAST(@p3 AS BIGINT)
WHERE id = @p4 AND version = @p5
  AND unapplied_minor + CAST(@p6 AS BIGINT) >= 0
  AND unapplied_minor + CAST(@p7 AS BIGINT) <= amount_minor
