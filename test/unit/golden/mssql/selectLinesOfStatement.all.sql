SELECT b.id, b.statement_id, b.line_no, b.file_line, b.record_ref, b.booking_date, b.value_date,
  b.amount_minor, b.currency, b.direction, b.entry_status, b.reversal, b.bank_reference,
  b.customer_reference, b.payer_name, b.payer_account, b.type_code, b.check_number, b.remittance,
  b.status, b.receipt_id, b.version
FROM bank_lines b
WHERE b.statement_id = @p0
ORDER BY b.line_no
