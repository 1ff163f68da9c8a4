-- The latest general note (about no particular document) of customers C-1 and C-2.
SELECT t.key_id, t.kind, t.body, t.created_at
FROM (
  SELECT n.customer_id AS key_id, n.kind, n.body, n.created_at,
    ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.document_id IS NULL AND n.customer_id IN (@p0, @p1)
) t
WHERE t.rn = 1
