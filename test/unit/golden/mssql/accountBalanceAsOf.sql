-- Every journal dated on or before the as-of date, subledger and external alike.
SELECT l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS balance_minor
FROM gl_lines l
JOIN gl_journals j ON j.id = l.journal_id
WHERE l.account = @p0 AND j.journal_date <= @p1
GROUP BY l.currency
