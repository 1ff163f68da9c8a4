-- memo is NVARCHAR(MAX), which SQL Server cannot GROUP BY: the sums sit in the derived table s.
SELECT j.id AS journal_id, j.journal_date, j.event_id, j.memo, j.created_at, s.currency, s.amount_minor
FROM gl_journals j
JOIN (SELECT l.journal_id, l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS amount_minor
      FROM gl_lines l WHERE l.account = @p0 GROUP BY l.journal_id, l.currency) s ON s.journal_id = j.id
WHERE j.source = @p1 AND j.journal_date <= @p2
ORDER BY j.journal_date, j.id
