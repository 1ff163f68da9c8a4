INSERT INTO receipts (id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version, change_seq, changeset_id)
VALUES (@p0, @p1, @p2, @p3, @p4, CAST(@p5 AS BIGINT), CAST(@p6 AS BIGINT), @p7, @p8, @p9, @p10, CAST(@p11 AS BIGINT), @p12)
