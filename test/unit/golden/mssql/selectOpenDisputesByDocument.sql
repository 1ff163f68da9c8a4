SELECT id, document_id, status, version
FROM disputes
WHERE status = @p0 AND document_id IN (@p1, @p2)
