SELECT r.id AS receipt_id, r.unapplied_minor,
  CASE WHEN r.reversed = 1 THEN 0 ELSE r.amount_minor - COALESCE(a.applied_minor, 0) END AS expected_minor
FROM receipts r
LEFT JOIN (SELECT source_id, SUM(amount_minor) AS applied_minor FROM applications WHERE source_kind = @p0 GROUP BY source_id) a
  ON a.source_id = r.id
WHERE r.unapplied_minor <> CASE WHEN r.reversed = 1 THEN 0 ELSE r.amount_minor - COALESCE(a.applied_minor, 0) END
