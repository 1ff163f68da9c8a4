-- Due basis, edges 30,60,90,120, as of 2026-11-23, currency EUR only (the PostgreSQL
-- path's second statement): the items touched after the as-of date, their balance
-- rebuilt from history, grouped by customer, currency, bucket and disputed flag.
SELECT g.customer_id, c.number AS customer_number, c.name AS customer_name, g.currency, g.bucket, g.disputed, g.open_minor
FROM (
  SELECT y.customer_id, y.currency, y.bucket, y.disputed, SUM(y.open_minor) AS open_minor
  FROM (
    SELECT x.customer_id, x.currency, x.disputed, x.open_minor,
      CASE WHEN x.due_date >= @p0 THEN @p1
           WHEN x.due_date >= @p2 THEN @p3
           WHEN x.due_date >= @p4 THEN @p5
           WHEN x.due_date >= @p6 THEN @p7
           WHEN x.due_date >= @p8 THEN @p9
           ELSE @p10 END AS bucket
    FROM (
      SELECT h.* FROM (
        SELECT d.customer_id AS customer_id, d.currency AS currency, d.document_date AS document_date,
          CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END AS due_date,
          CASE WHEN d.doc_type = 'creditMemo'
               THEN -(d.amount_minor
                      - COALESCE((SELECT SUM(s.amount_minor) FROM applications s WHERE s.source_kind = 'creditMemo' AND s.source_id = d.id AND s.application_date <= @p11), 0)
                      - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p12), 0))
               ELSE d.amount_minor
                    - COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM applications a WHERE a.document_id = d.id AND a.application_date <= @p13), 0)
                    - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p14), 0)
          END AS open_minor,
          d.disputed AS disputed
        FROM documents d
        WHERE d.document_date <= @p15 AND d.activity_date > @p16 AND d.currency = @p17
        UNION ALL
        SELECT r.customer_id AS customer_id, r.currency AS currency, r.receipt_date AS document_date, r.receipt_date AS due_date,
          -(CASE WHEN EXISTS (SELECT 1 FROM receipt_reversals rr WHERE rr.receipt_id = r.id AND rr.reversal_date <= @p18) THEN 0
                 ELSE r.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.source_kind = 'receipt' AND a.source_id = r.id AND a.application_date <= @p19), 0) END) AS open_minor,
          0 AS disputed
        FROM receipts r
        WHERE r.receipt_date <= @p20 AND r.activity_date > @p21 AND r.currency = @p22
      ) h
    ) x
    WHERE x.open_minor <> 0
  ) y
  GROUP BY y.customer_id, y.currency, y.bucket, y.disputed
) g
JOIN customers c ON c.id = g.customer_id
ORDER BY c.number, g.currency, g.disputed
