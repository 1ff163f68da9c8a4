-- No filters: only the page size is bound.
SELECT c.id, c.number, c.name, c.currency, c.terms_code, c.credit_limit_minor, c.collector, c.on_hold, c.contacts, c.version
FROM customers c
WHERE 1 = 1
ORDER BY c.number
OFFSET 0 ROWS FETCH NEXT @p0 ROWS ONLY
