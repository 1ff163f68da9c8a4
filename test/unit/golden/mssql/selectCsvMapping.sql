SELECT m.bank, m.mapping, m.updated_at, m.updated_by, m.version
FROM csv_mappings m
WHERE m.bank = @p0
