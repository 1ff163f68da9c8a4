SELECT currency, SUM(unapplied_minor) AS total_minor
FROM receipts
GROUP BY currency
