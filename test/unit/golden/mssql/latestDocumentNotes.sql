-- The latest note about each document with an id after D-1 up to D-9.
SELECT t.key_id, t.kind, t.body, t.created_at
FROM (
  SELECT n.document_id AS key_id, n.kind, n.body, n.created_at,
    ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.document_id > @p0 AND n.document_id <= @p1
) t
WHERE t.rn = 1
