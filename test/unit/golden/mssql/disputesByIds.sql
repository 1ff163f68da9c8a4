SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.status, p.note, p.resolution, p.resolution_note, p.opened_at, p.opened_by, p.resolved_at, p.resolved_by, p.version
FROM disputes p
WHERE p.id IN (@p0)
