SELECT id, document_id, status, version
FROM disputes WITH (UPDLOCK, ROWLOCK)
WHERE id IN (@p0)
