-- No accounts asked for: a valid statement that matches nothing (SQL Server refuses IN ()).
SELECT k.payer_account, k.customer_id
FROM customer_bank_accounts k
WHERE 1 = 0
