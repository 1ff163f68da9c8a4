-- UPDLOCK, ROWLOCK right after the table name: the rows stay locked to commit.
SELECT id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, version
FROM customers WITH (UPDLOCK, ROWLOCK)
WHERE id IN (@p0, @p1)
