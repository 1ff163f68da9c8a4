INSERT INTO notes (id, customer_id, document_id, kind, body, promise_currency, promise_amount_minor, promise_date, follow_up_date, author, created_at, change_seq, changeset_id)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, CAST(@p6 AS BIGINT), @p7, @p8, @p9, @p10, CAST(@p11 AS BIGINT), @p12)
