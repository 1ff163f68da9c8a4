-- Customer C-1 in USD, opening balance before 2026-11-01: seven event branches,
-- each binding the customer and the currency (@p0..@p13), then the date @p14.
SELECT COALESCE(SUM(e.amount_minor), 0) AS balance_minor
FROM (
  SELECT d.document_date AS entry_date, 1 AS sort_rank, d.id AS id, d.doc_type AS kind, d.number AS reference, d.memo AS detail,
    CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor
  FROM documents d
  WHERE d.customer_id = @p0 AND d.currency = @p1
  UNION ALL
  SELECT r.receipt_date AS entry_date, 2 AS sort_rank, r.id AS id, 'receipt' AS kind, r.reference AS reference, r.method AS detail, -r.amount_minor AS amount_minor
  FROM receipts r
  WHERE r.customer_id = @p2 AND r.currency = @p3
  UNION ALL
  SELECT rr.reversal_date AS entry_date, 3 AS sort_rank, rr.id AS id, 'receiptReversal' AS kind, r.reference AS reference, rr.reason AS detail, r.amount_minor AS amount_minor
  FROM receipt_reversals rr JOIN receipts r ON r.id = rr.receipt_id
  WHERE r.customer_id = @p4 AND r.currency = @p5
  UNION ALL
  SELECT a.application_date AS entry_date, 4 AS sort_rank, a.id AS id, 'discount' AS kind, d.number AS reference, NULL AS detail, -a.discount_minor AS amount_minor
  FROM applications a JOIN documents d ON d.id = a.document_id
  WHERE d.customer_id = @p6 AND a.currency = @p7 AND a.reverses_id IS NULL AND a.discount_minor <> 0
  UNION ALL
  SELECT a.application_date AS entry_date, 5 AS sort_rank, a.id AS id, 'writeOff' AS kind, d.number AS reference, a.writeoff_reason AS detail, -a.writeoff_minor AS amount_minor
  FROM applications a JOIN documents d ON d.id = a.document_id
  WHERE d.customer_id = @p8 AND a.currency = @p9 AND a.reverses_id IS NULL AND a.writeoff_minor <> 0
  UNION ALL
  SELECT a.application_date AS entry_date, 6 AS sort_rank, a.id AS id, 'applicationReversal' AS kind, d.number AS reference, NULL AS detail, -(a.discount_minor + a.writeoff_minor) AS amount_minor
  FROM applications a JOIN documents d ON d.id = a.document_id
  WHERE d.customer_id = @p10 AND a.currency = @p11 AND a.reverses_id IS NOT NULL AND a.discount_minor + a.writeoff_minor <> 0
  UNION ALL
  SELECT w.writeoff_date AS entry_date, 5 AS sort_rank, w.id AS id, 'writeOff' AS kind, d.number AS reference, w.reason AS detail,
    CASE WHEN d.doc_type = 'creditMemo' THEN w.amount_minor ELSE -w.amount_minor END AS amount_minor
  FROM write_offs w JOIN documents d ON d.id = w.document_id
  WHERE d.customer_id = @p12 AND w.currency = @p13
) e
WHERE e.entry_date < @p14
