-- An empty id list must not become "IN ()", which is a syntax error.
SELECT c.id, c.number, c.name, c.currency, c.terms_code, c.credit_limit_minor, c.collector, c.on_hold, c.contacts, c.version
FROM customers c
WHERE 1 = 0
