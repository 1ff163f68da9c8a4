-- Due basis, edges 30,60,90,120, as of 2026-11-23, every filter, after D-0100.
-- The bucket CASE comes first in the text, so it takes @p0..@p10; the as-of
-- date is bound once per use (@p11..@p17).
SELECT x.id, x.kind, x.customer_id, x.number, x.document_date, x.due_date, x.currency, x.amount_minor, x.open_minor, x.disputed, x.version, x.terms_code,
  CASE WHEN x.due_date >= @p0 THEN @p1
       WHEN x.due_date >= @p2 THEN @p3
       WHEN x.due_date >= @p4 THEN @p5
       WHEN x.due_date >= @p6 THEN @p7
       WHEN x.due_date >= @p8 THEN @p9
       ELSE @p10 END AS bucket
FROM (
  SELECT d.id AS id, d.doc_type AS kind, d.customer_id AS customer_id, d.number AS number, d.document_date AS document_date,
    CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END AS due_date,
    d.currency AS currency,
    CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor,
    CASE WHEN d.activity_date <= @p11 THEN (CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END)
         WHEN d.doc_type = 'creditMemo' THEN -(d.amount_minor
              - COALESCE((SELECT SUM(s.amount_minor) FROM applications s WHERE s.source_kind = 'creditMemo' AND s.source_id = d.id AND s.application_date <= @p12), 0)
              - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p13), 0))
         ELSE d.amount_minor
              - COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM applications a WHERE a.document_id = d.id AND a.application_date <= @p14), 0)
              - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= @p15), 0)
    END AS open_minor,
    d.disputed AS disputed, d.version AS version, d.terms_code AS terms_code
  FROM documents d
  WHERE d.document_date <= @p16
    AND (d.open_minor <> 0 OR d.activity_date > @p17)
    AND d.customer_id = @p18
    AND d.currency = @p19
    AND d.customer_id IN (SELECT cc.id FROM customers cc WHERE cc.collector = @p20)
    AND d.id > @p21
) x
WHERE x.open_minor <> 0
ORDER BY x.id
OFFSET 0 ROWS FETCH NEXT @p22 ROWS ONLY
