-- Two rows: the second has no credit limit (CAST(NULL AS BIGINT) stores NULL).
INSERT INTO customers (id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, contacts, version, change_seq)
VALUES (@p0, @p1, @p2, @p3, @p4, CAST(@p5 AS BIGINT), @p6, @p7, @p8, @p9, CAST(@p10 AS BIGINT)),
       (@p11, @p12, @p13, @p14, @p15, CAST(@p16 AS BIGINT), @p17, @p18, @p19, @p20, CAST(@p21 AS BIGINT))
