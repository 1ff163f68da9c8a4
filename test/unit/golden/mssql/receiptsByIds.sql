SELECT r.id, r.customer_id, r.receipt_date, r.currency, r.amount_minor, r.unapplied_minor, r.method, r.reference, r.reversed, r.version
FROM receipts r
WHERE r.id IN (@p0, @p1)
