SELECT d.id AS document_id, d.open_minor,
  d.amount_minor - COALESCE(a.settled_minor, 0) - COALESCE(w.written_minor, 0) - COALESCE(c.credited_minor, 0) AS expected_minor
FROM documents d
LEFT JOIN (SELECT document_id, SUM(amount_minor + discount_minor + writeoff_minor) AS settled_minor FROM applications GROUP BY document_id) a
  ON a.document_id = d.id
LEFT JOIN (SELECT document_id, SUM(amount_minor) AS written_minor FROM write_offs GROUP BY document_id) w
  ON w.document_id = d.id
LEFT JOIN (SELECT source_id, SUM(amount_minor) AS credited_minor FROM applications WHERE source_kind = @p0 GROUP BY source_id) c
  ON c.source_id = d.id
WHERE d.open_minor <> d.amount_minor - COALESCE(a.settled_minor, 0) - COALESCE(w.written_minor, 0) - COALESCE(c.credited_minor, 0)
