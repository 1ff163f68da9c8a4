SELECT k.payer_account, k.customer_id
FROM customer_bank_accounts k
WHERE k.payer_account IN (@p0, @p1)
