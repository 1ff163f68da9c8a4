SELECT id, token_hash, user_name, role, created_at, revoked_at
FROM tokens
WHERE token_hash = @p0
