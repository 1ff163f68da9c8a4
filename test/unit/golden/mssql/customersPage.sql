-- search, collector and after all given: the one pattern parameter is bound twice
-- (@p0, @p1); ESCAPE '\' makes %, _ and [ literal (T-SQL strings have no backslash escapes).
-- OFFSET/FETCH follows the ORDER BY, as SQL Server requires.
SELECT c.id, c.number, c.name, c.currency, c.terms_code, c.credit_limit_minor, c.collector, c.on_hold, c.contacts, c.version
FROM customers c
WHERE 1 = 1
  AND (LOWER(c.number) LIKE LOWER(@p0) ESCAPE '\' OR LOWER(c.name) LIKE LOWER(@p1) ESCAPE '\')
  AND c.collector = @p2
  AND c.number > @p3
ORDER BY c.number
OFFSET 0 ROWS FETCH NEXT @p4 ROWS ONLY
