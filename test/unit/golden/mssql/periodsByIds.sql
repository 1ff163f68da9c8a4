SELECT p.period, p.status, p.closed_at, p.closed_by
FROM periods p
WHERE p.period IN (@p0, @p1)
