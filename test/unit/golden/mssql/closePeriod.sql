-- SQL Server has no ON CONFLICT: MERGE with HOLDLOCK (serializable on the key
-- range, so two closers cannot both insert), terminated by the ';' MERGE requires.
MERGE periods WITH (HOLDLOCK) AS t
USING (SELECT @p0 AS period) AS s
ON t.period = s.period
WHEN MATCHED THEN UPDATE SET status = @p1, closed_at = @p2, closed_by = @p3
WHEN NOT MATCHED THEN INSERT (period, status, closed_at, closed_by) VALUES (s.period, @p4, @p5, @p6);
