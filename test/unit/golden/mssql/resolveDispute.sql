UPDATE disputes
SET status = @p0, resolution = @p1, resolution_note = @p2, resolved_at = @p3, resolved_by = @p4, version = version + 1, change_seq = CAST(@p5 AS BIGINT)
WHERE id = @p6 AND version = @p7 AND status = @p8
