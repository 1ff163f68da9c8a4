SELECT c.id, c.number, c.name, c.currency, c.terms_code, c.credit_limit_minor, c.collector, c.on_hold, c.contacts, c.version
FROM customers c
WHERE c.id IN (@p0, @p1)
