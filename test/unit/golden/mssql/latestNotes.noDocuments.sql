-- No document ids: that branch matches nothing (1 = 0), the statement stays valid.
SELECT t.scope, t.key_id, t.kind, t.body, t.created_at
FROM (
  SELECT 'document' AS scope, n.document_id AS key_id, n.kind, n.body, n.created_at,
    ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE 1 = 0
  UNION ALL
  SELECT 'customer' AS scope, n.customer_id AS key_id, n.kind, n.body, n.created_at,
    ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.document_id IS NULL AND n.customer_id IN (@p0, @p1)
) t
WHERE t.rn = 1
