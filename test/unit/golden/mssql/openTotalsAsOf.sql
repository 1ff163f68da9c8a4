-- As of 2026-10-31: the open-items as-of rows (documents, then unapplied cash) without filters or
-- page columns, summed per currency into the documents part and the (negative) unapplied-cash part.
-- The as-of date is bound once per use (@p0..@p11).
SELECT x.currency,
  SUM(CASE WHEN x.kind = 'unappliedCash' THEN 0 ELSE x.open_minor END) AS documents_minor,
  SUM(CASE WHEN x.kind = 'unappliedCash' THEN x.open_minor ELSE 0 END) AS unapplied_minor
FROM (
  SELECT d.id AS id, d.doc_type AS kind, d.customer_id AS customer_id, d.number AS number, d.document_date AS document_date,
    CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END AS due_date,
    d.currency AS currency,
    CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor,
    CASE WHEN d.activity_date <= @p0 THEN (CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END)
         WHEN d.doc_type = 'creditMemo' THEN -(d.amount_minor
              - COALESCE((SELECT SUM(s.amount_minor) FROM applications s WHERE s.source_kind = 'creditMemo' AND s.source_id = d.id AND s.application_date <= @p1), 0)
              - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p2), 0))
         ELSE d.amount_minor
              - COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM applications a WHERE a.document_id = d.id AND a.application_date <= @p3), 0)
              - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p4), 0)
    END AS open_minor,
    d.disputed AS disputed, d.version AS version
  FROM documents d
  WHERE d.document_date <= @p5
    AND (d.open_minor <> 0 OR d.activity_date > @p6)
  UNION ALL
  SELECT r.id AS id, 'unappliedCash' AS kind, r.customer_id AS customer_id, r.reference AS number,
    r.receipt_date AS document_date, r.receipt_date AS due_date, r.currency AS currency,
    -r.amount_minor AS amount_minor,
    -(CASE WHEN r.activity_date <= @p7 THEN (CASE WHEN r.reversed = 1 THEN 0 ELSE r.unapplied_minor END)
           WHEN EXISTS (SELECT 1 FROM receipt_reversals rr WHERE rr.receipt_id = r.id AND rr.reversal_date <= @p8) THEN 0
           ELSE r.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.source_kind = 'receipt' AND a.source_id = r.id AND a.application_date <= @p9), 0)
      END) AS open_minor,
    0 AS disputed, r.version AS version
  FROM receipts r
  WHERE r.receipt_date <= @p10
    AND ((r.unapplied_minor <> 0 AND r.reversed = 0) OR r.activity_date > @p11)
) x
GROUP BY x.currency
