SELECT id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version
FROM receipts WITH (UPDLOCK, ROWLOCK)
WHERE id IN (@p0)
