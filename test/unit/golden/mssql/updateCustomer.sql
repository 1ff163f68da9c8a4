UPDATE customers
SET number = @p0, name = @p1, terms_code = @p2, credit_limit_minor = CAST(@p3 AS BIGINT), collector = @p4, on_hold = @p5, contacts = @p6,
    version = version + 1, change_seq = CAST(@p7 AS BIGINT)
WHERE id = @p8 AND version = @p9
