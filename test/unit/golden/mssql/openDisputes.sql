-- The open dispute of each document on a page; the status is a text parameter.
SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.version
FROM disputes p
WHERE p.status = @p0 AND p.document_id IN (@p1, @p2)
