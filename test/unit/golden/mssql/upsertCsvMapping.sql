MERGE csv_mappings WITH (HOLDLOCK) AS t
USING (SELECT @p0 AS bank) AS s
ON t.bank = s.bank
WHEN MATCHED THEN UPDATE SET mapping = @p1, updated_at = @p2, updated_by = @p3, version = t.version + 1
WHEN NOT MATCHED THEN INSERT (bank, mapping, updated_at, updated_by, version)
  VALUES (s.bank, @p4, @p5, @p6, 1);
