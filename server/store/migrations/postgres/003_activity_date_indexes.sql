-- As-of reads split each table into rows last touched on or before the as-of
-- date (their stored balance is the answer) and rows touched after it (their
-- balance is rebuilt from history). These indexes find the second set
-- without scanning the table again: as of today it is empty; as of a past
-- month end the date of each row touched since is checked in the index, so
-- only rows that existed by then are read. Aging keeps the large first set
-- on a table scan (server/store/statements/read.ts, agingItemsAsOf).
CREATE INDEX documents_activity ON documents (activity_date, document_date);
CREATE INDEX receipts_activity ON receipts (activity_date, receipt_date);
