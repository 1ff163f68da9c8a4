SELECT n.id, n.customer_id, n.document_id, n.kind, n.body, n.promise_currency, n.promise_amount_minor, n.promise_date, n.follow_up_date, n.author, n.created_at
FROM notes n
WHERE n.id IN (@p0)
