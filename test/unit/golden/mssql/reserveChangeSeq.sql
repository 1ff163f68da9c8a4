-- OUTPUT, not RETURNING; OUTPUT without INTO is allowed because counters has no trigger.
UPDATE counters
SET value = value + CAST(@p0 AS BIGINT)
OUTPUT inserted.value AS value_seq
WHERE name = @p1
