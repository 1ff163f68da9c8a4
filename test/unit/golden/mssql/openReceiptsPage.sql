-- Document basis, edges 30,60, as of 2026-11-23, no filters, first page.
SELECT x.id, x.kind, x.customer_id, x.number, x.document_date, x.due_date, x.currency, x.amount_minor, x.open_minor, x.disputed, x.version, x.terms_code,
  CASE WHEN x.document_date >= @p0 THEN @p1
       WHEN x.document_date >= @p2 THEN @p3
       ELSE @p4 END AS bucket
FROM (
  SELECT r.id AS id, 'unappliedCash' AS kind, r.customer_id AS customer_id, r.reference AS number,
    r.receipt_date AS document_date, r.receipt_date AS due_date, r.currency AS currency,
    -r.amount_minor AS amount_minor,
    -(CASE WHEN r.activity_date <= @p5 THEN (CASE WHEN r.reversed = 1 THEN 0 ELSE r.unapplied_minor END)
           WHEN EXISTS (SELECT 1 FROM receipt_reversals rr WHERE rr.receipt_id = r.id AND rr.reversal_date <= @p6) THEN 0
           ELSE r.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.source_kind = 'receipt' AND a.source_id = r.id AND a.application_date <= @p7), 0)
      END) AS open_minor,
    0 AS disputed, r.version AS version, NULL AS terms_code
  FROM receipts r
  WHERE r.receipt_date <= @p8
    AND ((r.unapplied_minor <> 0 AND r.reversed = 0) OR r.activity_date > @p9)
) x
WHERE x.open_minor <> 0
ORDER BY x.id
OFFSET 0 ROWS FETCH NEXT @p10 ROWS ONLY
