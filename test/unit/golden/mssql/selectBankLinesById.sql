-- Locked until commit, like the documents and receipts a change set touches.
SELECT b.id, b.statement_id, b.amount_minor, b.currency, b.direction, b.entry_status, b.status,
  b.receipt_id, b.payer_account, b.version
FROM bank_lines b WITH (UPDLOCK, ROWLOCK)
WHERE b.id IN (@p0, @p1)
