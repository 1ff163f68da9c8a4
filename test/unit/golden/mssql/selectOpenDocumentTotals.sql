SELECT currency, SUM(CASE WHEN doc_type = @p0 THEN -open_minor ELSE open_minor END) AS total_minor
FROM documents
GROUP BY currency
