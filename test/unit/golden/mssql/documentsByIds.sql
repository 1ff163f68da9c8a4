SELECT d.id, d.customer_id, d.doc_type, d.number, d.document_date, d.due_date, d.currency, d.terms_code, d.amount_minor, d.open_minor, d.disputed, d.memo, d.version
FROM documents d
WHERE d.id IN (@p0)
