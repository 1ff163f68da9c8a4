INSERT INTO receipt_reversals (id, receipt_id, reversal_date, reason, changeset_id, created_at)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5)
