-- Two rows of 22 columns; every line starts open, without a receipt, at version 1 (bound, not literal).
INSERT INTO bank_lines (id, statement_id, line_no, file_line, record_ref, booking_date, value_date,
  amount_minor, currency, direction, entry_status, reversal, bank_reference, customer_reference,
  payer_name, payer_account, type_code, check_number, remittance, status, receipt_id, version)
VALUES
  (@p0, @p1, @p2, @p3, @p4, @p5, @p6, CAST(@p7 AS BIGINT), @p8, @p9, @p10, @p11, @p12, @p13,
   @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21),
  (@p22, @p23, @p24, @p25, @p26, @p27, @p28, CAST(@p29 AS BIGINT), @p30, @p31, @p32, @p33, @p34, @p35,
   @p36, @p37, @p38, @p39, @p40, @p41, @p42, @p43)
