-- Two documents in one guarded UPDATE: rows arrive as a derived table of SELECT … UNION ALL SELECT
-- (the first names the columns), joined on id. A row changes only at its base version and within
-- 0 … amount; OUTPUT lists the ids that changed, and one missing is a lost race.
-- D-1 keeps its dispute flag (flag NULL), D-2 is flagged disputed (1).
UPDATE documents
SET open_minor = documents.open_minor + v.delta_minor, activity_date = v.activity_date,
    disputed = COALESCE(v.flag, documents.disputed), version = documents.version + 1, change_seq = v.change_seq
OUTPUT inserted.id
FROM documents JOIN (
  SELECT @p0 AS id, @p1 AS base_version, CAST(@p2 AS BIGINT) AS delta_minor, @p3 AS activity_date, @p4 AS flag, CAST(@p5 AS BIGINT) AS change_seq
  UNION ALL SELECT @p6, @p7, CAST(@p8 AS BIGINT), @p9, @p10, CAST(@p11 AS BIGINT)
) AS v ON v.id = documents.id
WHERE documents.version = v.base_version
  AND documents.open_minor + v.delta_minor >= 0
  AND documents.open_minor + v.delta_minor <= documents.amount_minor
