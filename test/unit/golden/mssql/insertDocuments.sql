-- activity_date starts as the document date; open_minor starts as the amount.
INSERT INTO documents (id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, memo, version, change_seq, changeset_id)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, CAST(@p9 AS BIGINT), CAST(@p10 AS BIGINT), @p11, @p12, @p13, CAST(@p14 AS BIGINT), @p15)
