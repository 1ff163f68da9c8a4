SELECT j.id AS journal_id, SUM(l.debit_minor) AS debit_minor, SUM(l.credit_minor) AS credit_minor
FROM gl_journals j
JOIN gl_lines l ON l.journal_id = j.id
GROUP BY j.id
HAVING SUM(l.debit_minor) <> SUM(l.credit_minor)
