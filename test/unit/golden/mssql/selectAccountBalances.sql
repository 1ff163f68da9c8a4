SELECT currency, SUM(debit_minor) - SUM(credit_minor) AS balance_minor
FROM gl_lines
WHERE account = @p0
GROUP BY currency
