-- Each subledger journal's net on AR with its event's date (document, application or write-off);
-- kept when the journal and the event lie on different sides of the as-of date, or the event is missing.
SELECT t.journal_id, t.event_kind, t.event_id, t.journal_date, t.event_date, t.reference, t.currency, t.amount_minor
FROM (
  SELECT j.id AS journal_id, j.event_kind, j.event_id, j.journal_date,
    COALESCE(d.document_date, a.application_date, w.writeoff_date) AS event_date,
    COALESCE(d.number, ad.number, wd.number) AS reference,
    s.currency, s.amount_minor
  FROM gl_journals j
  JOIN (SELECT l.journal_id, l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS amount_minor
        FROM gl_lines l WHERE l.account = @p0 GROUP BY l.journal_id, l.currency) s ON s.journal_id = j.id
  LEFT JOIN documents d ON d.id = j.event_id AND j.event_kind IN ('invoice', 'debitMemo', 'creditMemo')
  LEFT JOIN applications a ON a.id = j.event_id AND j.event_kind IN ('application', 'applicationReversal')
  LEFT JOIN documents ad ON ad.id = a.document_id
  LEFT JOIN write_offs w ON w.id = j.event_id AND j.event_kind = 'writeOff'
  LEFT JOIN documents wd ON wd.id = w.document_id
  WHERE j.source = @p1
) t
WHERE (t.journal_date <= @p2 AND (t.event_date IS NULL OR t.event_date > @p3))
   OR (t.journal_date > @p4 AND t.event_date <= @p5)
ORDER BY t.journal_date, t.journal_id
