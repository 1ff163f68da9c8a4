-- Due basis, edges 30,60,90,120, as of 2026-11-23, currency EUR only (the PostgreSQL
-- path's first statement; compiled here like every export).
-- Items last touched on or before the as-of date, per customer, currency and disputed flag:
-- the signed open total and, per bucket boundary (2026-11-23, 10-24, 09-24, 08-25, 07-26),
-- the open amount aged before it. SUM of BIGINT is BIGINT on SQL Server; NULL when none.
SELECT g.customer_id, c.number AS customer_number, c.name AS customer_name, g.currency, g.disputed,
  g.total_minor, g.before_0_minor, g.before_1_minor, g.before_2_minor, g.before_3_minor, g.before_4_minor
FROM (
  SELECT d.customer_id AS customer_id, d.currency AS currency, d.disputed AS disputed,
    SUM(CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END) AS total_minor,
    SUM(CASE WHEN CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END < @p0
             THEN CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END END) AS before_0_minor,
    SUM(CASE WHEN CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END < @p1
             THEN CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END END) AS before_1_minor,
    SUM(CASE WHEN CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END < @p2
             THEN CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END END) AS before_2_minor,
    SUM(CASE WHEN CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END < @p3
             THEN CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END END) AS before_3_minor,
    SUM(CASE WHEN CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END < @p4
             THEN CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END END) AS before_4_minor
  FROM documents d
  WHERE d.document_date <= @p5 AND d.activity_date <= @p6 AND d.open_minor <> 0
    AND d.currency = @p7
  GROUP BY d.customer_id, d.currency, d.disputed
  UNION ALL
  SELECT r.customer_id AS customer_id, r.currency AS currency, 0 AS disputed,
    SUM(-r.unapplied_minor) AS total_minor,
    SUM(CASE WHEN r.receipt_date < @p8 THEN -r.unapplied_minor END) AS before_0_minor,
    SUM(CASE WHEN r.receipt_date < @p9 THEN -r.unapplied_minor END) AS before_1_minor,
    SUM(CASE WHEN r.receipt_date < @p10 THEN -r.unapplied_minor END) AS before_2_minor,
    SUM(CASE WHEN r.receipt_date < @p11 THEN -r.unapplied_minor END) AS before_3_minor,
    SUM(CASE WHEN r.receipt_date < @p12 THEN -r.unapplied_minor END) AS before_4_minor
  FROM receipts r
  WHERE r.receipt_date <= @p13 AND r.activity_date <= @p14 AND r.unapplied_minor <> 0 AND r.reversed = 0
    AND r.currency = @p15
  GROUP BY r.customer_id, r.currency
) g
JOIN customers c ON c.id = g.customer_id
ORDER BY c.number, g.currency, g.disputed
