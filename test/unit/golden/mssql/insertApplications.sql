INSERT INTO applications (id, source_kind, source_id, document_id, application_date, currency, amount_minor, discount_minor, writeoff_minor, writeoff_reason, reverses_id, changeset_id, created_at)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, CAST(@p6 AS BIGINT), CAST(@p7 AS BIGINT), CAST(@p8 AS BIGINT), @p9, @p10, @p11, @p12)
