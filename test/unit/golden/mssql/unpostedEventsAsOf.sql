-- Events dated on or before the as-of date with an effect on AR and no subledger journal
-- (gl_journals_event index). Effects: documents ± amount; applications −(cash from a receipt + discount
-- + write-off), a credit memo's own amount netting to zero on AR; write-offs −amount (+ on a credit memo).
SELECT u.event_kind, u.event_id, u.reference, u.event_date, u.currency, u.amount_minor
FROM (
  SELECT d.doc_type AS event_kind, d.id AS event_id, d.number AS reference, d.document_date AS event_date, d.currency,
    CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor
  FROM documents d
  WHERE d.document_date <= @p0
    AND NOT EXISTS (SELECT 1 FROM gl_journals j WHERE j.event_id = d.id AND j.source = 'subledger')
  UNION ALL
  SELECT CASE WHEN a.reverses_id IS NULL THEN 'application' ELSE 'applicationReversal' END AS event_kind,
    a.id AS event_id, ad.number AS reference, a.application_date AS event_date, a.currency,
    -(CASE WHEN a.source_kind = 'receipt' THEN a.amount_minor ELSE 0 END + a.discount_minor + a.writeoff_minor) AS amount_minor
  FROM applications a
  JOIN documents ad ON ad.id = a.document_id
  WHERE a.application_date <= @p1
    AND (CASE WHEN a.source_kind = 'receipt' THEN a.amount_minor ELSE 0 END + a.discount_minor + a.writeoff_minor) <> 0
    AND NOT EXISTS (SELECT 1 FROM gl_journals j WHERE j.event_id = a.id AND j.source = 'subledger')
  UNION ALL
  SELECT 'writeOff' AS event_kind, w.id AS event_id, wd.number AS reference, w.writeoff_date AS event_date, w.currency,
    CASE WHEN wd.doc_type = 'creditMemo' THEN w.amount_minor ELSE -w.amount_minor END AS amount_minor
  FROM write_offs w
  JOIN documents wd ON wd.id = w.document_id
  WHERE w.writeoff_date <= @p2
    AND NOT EXISTS (SELECT 1 FROM gl_journals j WHERE j.event_id = w.id AND j.source = 'subledger')
) u
ORDER BY u.event_date, u.event_id
