-- As of 2026-11-23: the latest promise on D-1 or D-2, and C-1's latest general promise.
-- settled_minor counts applications in the promise's currency dated from the day it was
-- recorded (made_on) through the promised date, and not after the as-of date (@p0, @p3).
SELECT p.scope, p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on,
  COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor)
            FROM applications a
            WHERE a.document_id = p.key_id
              AND a.currency = p.promise_currency
              AND a.application_date >= p.made_on
              AND a.application_date <= p.promise_date
              AND a.application_date <= @p0), 0) AS settled_minor
FROM (
  SELECT 'document' AS scope, n.document_id AS key_id,
    n.promise_currency, n.promise_amount_minor, n.promise_date, SUBSTRING(n.created_at, 1, 10) AS made_on,
    ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.kind = 'promise' AND n.promise_currency IS NOT NULL AND n.promise_amount_minor IS NOT NULL AND n.promise_date IS NOT NULL
    AND n.document_id IN (@p1, @p2)
) p
WHERE p.rn = 1
UNION ALL
SELECT p.scope, p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on,
  COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor)
            FROM applications a JOIN documents sd ON sd.id = a.document_id
            WHERE sd.customer_id = p.key_id
              AND a.currency = p.promise_currency
              AND a.application_date >= p.made_on
              AND a.application_date <= p.promise_date
              AND a.application_date <= @p3), 0) AS settled_minor
FROM (
  SELECT 'customer' AS scope, n.customer_id AS key_id,
    n.promise_currency, n.promise_amount_minor, n.promise_date, SUBSTRING(n.created_at, 1, 10) AS made_on,
    ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.kind = 'promise' AND n.promise_currency IS NOT NULL AND n.promise_amount_minor IS NOT NULL AND n.promise_date IS NOT NULL
    AND n.document_id IS NULL AND n.customer_id IN (@p4)
) p
WHERE p.rn = 1
