SELECT doc_type, number
FROM documents
WHERE number IN (@p0, @p1)
