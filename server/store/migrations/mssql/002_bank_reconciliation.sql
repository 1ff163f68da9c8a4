-- Bank statements and their lines (imported from BAI2, camt, lockbox, CSV),
-- payer accounts remembered from confirmed matches, CSV mappings per bank.
-- Amounts are BIGINT minor units, signed from the account holder's side
-- (a credit positive, a debit negative). A file imports once: its SHA-256
-- and the statement's position in it are unique. Statements are append-only;
-- a line changes only its match status, receipt and version.
-- Batches are separated by lines holding only GO. Text that statements compare
-- with parameters is NVARCHAR, as parameters are bound, so lookups can seek.

CREATE TABLE bank_statements (
  id NVARCHAR(64) PRIMARY KEY,
  file_sha256 NVARCHAR(64) NOT NULL,
  file_index INT NOT NULL CHECK (file_index >= 0),
  file_name NVARCHAR(400),
  format NVARCHAR(10) NOT NULL CHECK (format IN ('bai2', 'camt.052', 'camt.053', 'camt.054', 'lockbox', 'csv')),
  account NVARCHAR(200) NOT NULL,
  iban NVARCHAR(64),
  currency CHAR(3) NOT NULL,
  bank_statement_id NVARCHAR(400),
  statement_date CHAR(10),
  -- first and last booking date of the lines (the statement date when it has none)
  from_date CHAR(10),
  to_date CHAR(10),
  opening_minor BIGINT,
  closing_minor BIGINT,
  line_count INT NOT NULL CHECK (line_count >= 0),
  imported_at VARCHAR(30) NOT NULL,
  imported_by NVARCHAR(400) NOT NULL,
  UNIQUE (file_sha256, file_index)
);
CREATE INDEX bank_statements_account ON bank_statements (account, statement_date);

CREATE TABLE bank_lines (
  id NVARCHAR(64) PRIMARY KEY,
  statement_id NVARCHAR(64) NOT NULL REFERENCES bank_statements (id),
  line_no INT NOT NULL CHECK (line_no >= 1),
  file_line INT NOT NULL,
  record_ref NVARCHAR(400) NOT NULL,
  booking_date CHAR(10) NOT NULL,
  value_date CHAR(10),
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  direction NVARCHAR(10) NOT NULL CHECK (direction IN ('credit', 'debit')),
  entry_status NVARCHAR(20) NOT NULL CHECK (entry_status IN ('booked', 'pending', 'information', 'future')),
  reversal INT NOT NULL CHECK (reversal IN (0, 1)),
  bank_reference NVARCHAR(400),
  customer_reference NVARCHAR(400),
  payer_name NVARCHAR(400),
  payer_account NVARCHAR(200),
  type_code NVARCHAR(100),
  check_number NVARCHAR(100),
  remittance NVARCHAR(MAX) NOT NULL,
  status NVARCHAR(10) NOT NULL CHECK (status IN ('open', 'matched', 'ignored')),
  receipt_id NVARCHAR(64) REFERENCES receipts (id),
  version INT NOT NULL,
  UNIQUE (statement_id, line_no),
  CHECK ((direction = 'credit' AND amount_minor >= 0) OR (direction = 'debit' AND amount_minor <= 0))
);
CREATE INDEX bank_lines_receipt ON bank_lines (receipt_id);

CREATE TABLE customer_bank_accounts (
  payer_account NVARCHAR(200) PRIMARY KEY,
  customer_id NVARCHAR(64) NOT NULL REFERENCES customers (id),
  remembered_at VARCHAR(30) NOT NULL,
  remembered_by NVARCHAR(400) NOT NULL,
  changeset_id NVARCHAR(64)
);
CREATE INDEX customer_bank_accounts_customer ON customer_bank_accounts (customer_id);

CREATE TABLE csv_mappings (
  bank NVARCHAR(200) PRIMARY KEY,
  mapping NVARCHAR(MAX) NOT NULL,
  updated_at VARCHAR(30) NOT NULL,
  updated_by NVARCHAR(400) NOT NULL,
  version INT NOT NULL
);

-- AR-to-GL reconciliation looks up each subledger event's journal.
CREATE INDEX gl_journals_event ON gl_journals (event_id);

GO
CREATE TRIGGER bank_statements_append_only ON bank_statements INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'bank_statements is append-only', 1;
END;
GO
CREATE TRIGGER bank_lines_no_delete ON bank_lines INSTEAD OF DELETE AS
BEGIN
  THROW 51000, 'bank_lines are never deleted', 1;
END;
GO
CREATE TRIGGER bank_lines_facts ON bank_lines AFTER UPDATE AS
BEGIN
  IF UPDATE(id) OR UPDATE(statement_id) OR UPDATE(line_no) OR UPDATE(file_line) OR UPDATE(record_ref) OR UPDATE(booking_date) OR UPDATE(value_date) OR UPDATE(amount_minor) OR UPDATE(currency) OR UPDATE(direction) OR UPDATE(entry_status) OR UPDATE(reversal) OR UPDATE(bank_reference) OR UPDATE(customer_reference) OR UPDATE(payer_name) OR UPDATE(payer_account) OR UPDATE(type_code) OR UPDATE(check_number) OR UPDATE(remittance)
    THROW 51000, 'a bank line changes only its status, receipt and version', 1;
END;
