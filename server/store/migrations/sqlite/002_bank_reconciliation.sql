-- Bank statements and their lines (imported from BAI2, camt, lockbox, CSV),
-- payer accounts remembered from confirmed matches, CSV mappings per bank.
-- Amounts are INTEGER minor units, signed from the account holder's side
-- (a credit positive, a debit negative). A file imports once: its SHA-256
-- and the statement's position in it are unique. Statements are append-only;
-- a line changes only its match status, receipt and version.

CREATE TABLE bank_statements (
  id TEXT PRIMARY KEY,
  file_sha256 TEXT NOT NULL,
  file_index INTEGER NOT NULL CHECK (file_index >= 0),
  file_name TEXT,
  format TEXT NOT NULL CHECK (format IN ('bai2', 'camt.052', 'camt.053', 'camt.054', 'lockbox', 'csv')),
  account TEXT NOT NULL,
  iban TEXT,
  currency TEXT NOT NULL,
  bank_statement_id TEXT,
  statement_date TEXT,
  -- first and last booking date of the lines (the statement date when it has none)
  from_date TEXT,
  to_date TEXT,
  opening_minor INTEGER,
  closing_minor INTEGER,
  line_count INTEGER NOT NULL CHECK (line_count >= 0),
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  UNIQUE (file_sha256, file_index)
) STRICT;
CREATE INDEX bank_statements_account ON bank_statements (account, statement_date);

CREATE TABLE bank_lines (
  id TEXT PRIMARY KEY,
  statement_id TEXT NOT NULL REFERENCES bank_statements (id),
  line_no INTEGER NOT NULL CHECK (line_no >= 1),
  file_line INTEGER NOT NULL,
  record_ref TEXT NOT NULL,
  booking_date TEXT NOT NULL,
  value_date TEXT,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
  entry_status TEXT NOT NULL CHECK (entry_status IN ('booked', 'pending', 'information', 'future')),
  reversal INTEGER NOT NULL CHECK (reversal IN (0, 1)),
  bank_reference TEXT,
  customer_reference TEXT,
  payer_name TEXT,
  payer_account TEXT,
  type_code TEXT,
  check_number TEXT,
  remittance TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'matched', 'ignored')),
  receipt_id TEXT REFERENCES receipts (id),
  version INTEGER NOT NULL,
  UNIQUE (statement_id, line_no),
  CHECK ((direction = 'credit' AND amount_minor >= 0) OR (direction = 'debit' AND amount_minor <= 0))
) STRICT;
CREATE INDEX bank_lines_receipt ON bank_lines (receipt_id);

CREATE TABLE customer_bank_accounts (
  payer_account TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  remembered_at TEXT NOT NULL,
  remembered_by TEXT NOT NULL,
  changeset_id TEXT
) STRICT;
CREATE INDEX customer_bank_accounts_customer ON customer_bank_accounts (customer_id);

CREATE TABLE csv_mappings (
  bank TEXT PRIMARY KEY,
  mapping TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;

-- AR-to-GL reconciliation looks up each subledger event's journal.
CREATE INDEX gl_journals_event ON gl_journals (event_id);

CREATE TRIGGER bank_statements_append_only_u BEFORE UPDATE ON bank_statements BEGIN SELECT RAISE(ABORT, 'bank_statements are append-only'); END;
CREATE TRIGGER bank_statements_append_only_d BEFORE DELETE ON bank_statements BEGIN SELECT RAISE(ABORT, 'bank_statements are append-only'); END;
CREATE TRIGGER bank_lines_no_delete BEFORE DELETE ON bank_lines BEGIN SELECT RAISE(ABORT, 'bank_lines are never deleted'); END;
CREATE TRIGGER bank_lines_facts_u BEFORE UPDATE OF id, statement_id, line_no, file_line, record_ref, booking_date, value_date, amount_minor, currency, direction, entry_status, reversal, bank_reference, customer_reference, payer_name, payer_account, type_code, check_number, remittance ON bank_lines BEGIN SELECT RAISE(ABORT, 'a bank line changes only its status, receipt and version'); END;
