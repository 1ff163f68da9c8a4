-- Balances are BIGINT minor units bound as text and cast (opening @p12, closing @p13).
INSERT INTO bank_statements (id, file_sha256, file_index, file_name, format, account, iban, currency,
  bank_statement_id, statement_date, from_date, to_date, opening_minor, closing_minor, line_count,
  imported_at, imported_by)
VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11,
  CAST(@p12 AS BIGINT), CAST(@p13 AS BIGINT), @p14, @p15, @p16)
