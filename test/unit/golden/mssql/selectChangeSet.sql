SELECT id, payload_hash, payload, result
FROM changesets
WHERE id = @p0
