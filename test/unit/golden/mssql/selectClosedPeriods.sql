SELECT period
FROM periods
WHERE status = @p0
