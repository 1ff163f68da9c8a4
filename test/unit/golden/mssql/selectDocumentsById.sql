SELECT id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, version
FROM documents WITH (UPDLOCK, ROWLOCK)
WHERE id IN (@p0)
