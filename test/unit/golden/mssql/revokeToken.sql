UPDATE tokens
SET revoked_at = @p0
WHERE id = @p1 AND revoked_at IS NULL
