-- Guarded: still open and at the version the plan saw, or zero rows (someone matched it first).
UPDATE bank_lines SET status = @p0, receipt_id = @p1, version = version + 1
WHERE id = @p2 AND version = @p3 AND status = @p4
