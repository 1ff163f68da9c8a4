SELECT a.id, a.source_kind, a.source_id, a.document_id, a.application_date, a.currency, a.amount_minor, a.discount_minor, a.writeoff_minor, a.reverses_id,
  CASE WHEN EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) THEN 1 ELSE 0 END AS is_reversed
FROM applications a
WHERE a.source_id IN (@p0, @p1)
  AND a.reverses_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id)
ORDER BY a.application_date, a.id
