-- A first page (ids up to D-9) of collector lee's open items.
SELECT t.key_id, t.kind, t.body, t.created_at
FROM (
  SELECT n.document_id AS key_id, n.kind, n.body, n.created_at,
    ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.document_id <= @p0
    AND EXISTS (SELECT 1 FROM documents fd WHERE fd.id = n.document_id
                AND fd.customer_id IN (SELECT cc.id FROM customers cc WHERE cc.collector = @p1))
) t
WHERE t.rn = 1
