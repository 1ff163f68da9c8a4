SELECT b.id AS bank_line_id, r.id, r.customer_id, c.number AS customer_number, c.name AS customer_name,
  r.receipt_date, r.currency, r.amount_minor, r.method, r.reference, r.reversed
FROM bank_lines b
JOIN receipts r ON r.id = b.receipt_id
JOIN customers c ON c.id = r.customer_id
WHERE b.statement_id = @p0
ORDER BY b.line_no
