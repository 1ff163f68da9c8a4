-- SQL Server branch: each id is bound once (the shared form repeats the list
-- eight times, 8,000 parameters for ID_CHUNK ids, over the 2,100 limit).
SELECT t.id
FROM (
  SELECT id FROM customers
  UNION ALL SELECT id FROM documents
  UNION ALL SELECT id FROM receipts
  UNION ALL SELECT id FROM applications
  UNION ALL SELECT id FROM write_offs
  UNION ALL SELECT id FROM receipt_reversals
  UNION ALL SELECT id FROM notes
  UNION ALL SELECT id FROM disputes
) t
WHERE t.id IN (@p0, @p1)
