-- The open disputes of the documents a page covers: ids after D-1 up to D-9 (the page's
-- keyset range); the status is a text parameter.
SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.version
FROM disputes p
WHERE p.status = @p0 AND p.document_id > @p1 AND p.document_id <= @p2
