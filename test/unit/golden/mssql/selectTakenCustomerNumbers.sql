SELECT number
FROM customers
WHERE number IN (@p0)
