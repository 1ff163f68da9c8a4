-- Upsert without ON CONFLICT: MERGE with HOLDLOCK, ended by the ';' MERGE requires.
MERGE customer_bank_accounts WITH (HOLDLOCK) AS t
USING (SELECT @p0 AS payer_account) AS s
ON t.payer_account = s.payer_account
WHEN MATCHED THEN UPDATE SET customer_id = @p1, remembered_at = @p2, remembered_by = @p3, changeset_id = @p4
WHEN NOT MATCHED THEN INSERT (payer_account, customer_id, remembered_at, remembered_by, changeset_id)
  VALUES (s.payer_account, @p5, @p6, @p7, @p8);
