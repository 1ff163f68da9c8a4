-- As of 2026-11-23: the latest promise on each document after D-1 up to D-9.
-- settled_minor counts applications to that document in the promise's currency dated from
-- the day it was recorded (made_on) through the promised date, and not after the as-of date (@p0).
SELECT p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on,
  COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor)
            FROM applications a
            WHERE a.document_id = p.key_id
              AND a.currency = p.promise_currency
              AND a.application_date >= p.made_on
              AND a.application_date <= p.promise_date
              AND a.application_date <= @p0), 0) AS settled_minor
FROM (
  SELECT n.document_id AS key_id,
    n.promise_currency, n.promise_amount_minor, n.promise_date, SUBSTRING(n.created_at, 1, 10) AS made_on,
    ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn
  FROM notes n
  WHERE n.kind = 'promise' AND n.promise_currency IS NOT NULL AND n.promise_amount_minor IS NOT NULL AND n.promise_date IS NOT NULL
    AND n.document_id > @p1 AND n.document_id <= @p2
) p
WHERE p.rn = 1
