-- One receipt; reversed: false binds the flag as an Int 0.
UPDATE receipts
SET unapplied_minor = receipts.unapplied_minor + v.delta_minor, activity_date = v.activity_date,
    reversed = COALESCE(v.flag, receipts.reversed), version = receipts.version + 1, change_seq = v.change_seq
OUTPUT inserted.id
FROM receipts JOIN (
  SELECT @p0 AS id, @p1 AS base_version, CAST(@p2 AS BIGINT) AS delta_minor, @p3 AS activity_date, @p4 AS flag, CAST(@p5 AS BIGINT) AS change_seq
) AS v ON v.id = receipts.id
WHERE receipts.version = v.base_version
  AND receipts.unapplied_minor + v.delta_minor >= 0
  AND receipts.unapplied_minor + v.delta_minor <= receipts.amount_minor
