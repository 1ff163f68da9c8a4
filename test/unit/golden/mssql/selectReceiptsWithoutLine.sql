-- Receipts in the statement's currency and date range that no bank line records (bank_lines_receipt index).
SELECT r.id, r.customer_id, c.number AS customer_number, c.name AS customer_name,
  r.receipt_date, r.currency, r.amount_minor, r.method, r.reference, r.reversed
FROM receipts r
JOIN customers c ON c.id = r.customer_id
WHERE r.currency = @p0 AND r.receipt_date >= @p1 AND r.receipt_date <= @p2
  AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.receipt_id = r.id)
ORDER BY r.receipt_date, r.id
