INSERT INTO write_offs (id, document_id, writeoff_date, currency, amount_minor, reason, reverses_id, changeset_id, created_at)
VALUES (@p0, @p1, @p2, @p3, CAST(@p4 AS BIGINT), @p5, @p6, @p7, @p8)
