SELECT value AS value_seq
FROM counters
WHERE name = @p0
