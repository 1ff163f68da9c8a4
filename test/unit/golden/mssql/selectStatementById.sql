SELECT s.id, s.file_sha256, s.file_index, s.file_name, s.format, s.account, s.iban, s.currency,
  s.bank_statement_id, s.statement_date, s.from_date, s.to_date, s.opening_minor, s.closing_minor,
  s.line_count, s.imported_at, s.imported_by
FROM bank_statements s
WHERE s.id = @p0
