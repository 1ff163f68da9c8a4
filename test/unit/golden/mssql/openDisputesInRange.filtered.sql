-- A first page (no lower bound) filtered to customer C-1 in EUR: only documents that pass
-- the page's own filters are looked at, so a one-customer pull does not read every dispute
-- in the id range.
SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.version
FROM disputes p
WHERE p.status = @p0 AND p.document_id <= @p1
  AND EXISTS (SELECT 1 FROM documents fd WHERE fd.id = p.document_id AND fd.customer_id = @p2 AND fd.currency = @p3)
