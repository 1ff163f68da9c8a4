INSERT INTO disputes (id, document_id, reason_code, currency, amount_minor, status, note, resolution, resolution_note, opened_at, opened_by, resolved_at, resolved_by, version, change_seq, changeset_id)
VALUES (@p0, @p1, @p2, @p3, CAST(@p4 AS BIGINT), @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, CAST(@p14 AS BIGINT), @p15)
