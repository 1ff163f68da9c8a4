-- As of 2026-11-23: C-1's latest general promise (about no particular document), with what
-- was settled toward it over applications to any of C-1's documents, counted as for a
-- document's promise (currency, made_on through the promised date, not after @p0).
SELECT p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on,
  COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor)
            FROM applications a JOIN documents sd ON sd.id = a.document_id
            WHERE sd.customer_id = p.key_id
              AND a.currency = p.promise_currency
              AND a.application_date >= p.made_on
              AND a.application_date <= p.promise_date
              AND a.application_date <= @p0), 0) AS settled_minor
FROM (
  SELECT n.customer_id AS key_id,
    n.promise_currency, n.promise_amount_minor, n.promise_date, SUBSTRING(n.created_at, 1, 10) AS made_on,
    ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.kind = 'promise' AND n.promise_currency IS NOT NULL AND n.promise_amount_minor IS NOT NULL AND n.promise_date IS NOT NULL
    AND n.document_id IS NULL AND n.customer_id IN (@p1)
) p
WHERE p.rn = 1
