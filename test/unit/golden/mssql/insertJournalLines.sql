INSERT INTO gl_lines (journal_id, line_no, account, currency, debit_minor, credit_minor)
VALUES (@p0, @p1, @p2, @p3, CAST(@p4 AS BIGINT), CAST(@p5 AS BIGINT)),
       (@p6, @p7, @p8, @p9, CAST(@p10 AS BIGINT), CAST(@p11 AS BIGINT))
