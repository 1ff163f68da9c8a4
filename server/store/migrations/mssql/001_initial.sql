-- OpenAR ledger, SQL Server dialect. Amounts are BIGINT minor units (tedious
-- returns BIGINT as a string, never a float); dates CHAR(10) YYYY-MM-DD.
-- Batches are separated by lines holding only GO.
-- change_log) are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE customers (
  id NVARCHAR(64) PRIMARY KEY,
  number NVARCHAR(64) NOT NULL UNIQUE,
  name NVARCHAR(400) NOT NULL,
  currency CHAR(3) NOT NULL,
  terms_code NVARCHAR(400) NOT NULL,
  credit_limit_minor BIGINT,
  collector NVARCHAR(400),
  on_hold INT NOT NULL DEFAULT 0 CHECK (on_hold IN (0, 1)),
  contacts NVARCHAR(MAX) NOT NULL DEFAULT '[]',
  version INT NOT NULL,
  change_seq BIGINT NOT NULL
);
CREATE INDEX customers_collector ON customers (collector);

CREATE TABLE documents (
  id NVARCHAR(64) PRIMARY KEY,
  customer_id NVARCHAR(64) NOT NULL REFERENCES customers (id),
  doc_type NVARCHAR(400) NOT NULL CHECK (doc_type IN ('invoice', 'debitMemo', 'creditMemo')),
  number NVARCHAR(64) NOT NULL,
  document_date CHAR(10) NOT NULL,
  due_date CHAR(10) NOT NULL,
  -- latest date of anything that changed this document's open amount (as-of queries skip history before it)
  activity_date CHAR(10) NOT NULL,
  currency CHAR(3) NOT NULL,
  terms_code NVARCHAR(400),
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  open_minor BIGINT NOT NULL CHECK (open_minor >= 0 AND open_minor <= amount_minor),
  disputed INT NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
  memo NVARCHAR(MAX),
  version INT NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id NVARCHAR(64) NOT NULL,
  UNIQUE (doc_type, number)
);
CREATE INDEX documents_customer ON documents (customer_id, due_date);
CREATE INDEX documents_open ON documents (customer_id) WHERE open_minor > 0;

CREATE TABLE receipts (
  id NVARCHAR(64) PRIMARY KEY,
  customer_id NVARCHAR(64) NOT NULL REFERENCES customers (id),
  receipt_date CHAR(10) NOT NULL,
  activity_date CHAR(10) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  unapplied_minor BIGINT NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
  method NVARCHAR(400) NOT NULL,
  reference NVARCHAR(400) NOT NULL,
  reversed INT NOT NULL DEFAULT 0 CHECK (reversed IN (0, 1)),
  version INT NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id NVARCHAR(64) NOT NULL
);
CREATE INDEX receipts_customer ON receipts (customer_id, receipt_date);

CREATE TABLE applications (
  id NVARCHAR(64) PRIMARY KEY,
  source_kind NVARCHAR(400) NOT NULL CHECK (source_kind IN ('receipt', 'creditMemo')),
  source_id NVARCHAR(64) NOT NULL,
  document_id NVARCHAR(64) NOT NULL REFERENCES documents (id),
  application_date CHAR(10) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  writeoff_minor BIGINT NOT NULL,
  writeoff_reason NVARCHAR(400),
  reverses_id NVARCHAR(64) REFERENCES applications (id),
  changeset_id NVARCHAR(64) NOT NULL,
  created_at VARCHAR(30) NOT NULL
);
CREATE UNIQUE INDEX applications_reverses ON applications (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX applications_document ON applications (document_id, application_date);
CREATE INDEX applications_source ON applications (source_id, application_date);

CREATE TABLE write_offs (
  id NVARCHAR(64) PRIMARY KEY,
  document_id NVARCHAR(64) NOT NULL REFERENCES documents (id),
  writeoff_date CHAR(10) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  reason NVARCHAR(400) NOT NULL,
  reverses_id NVARCHAR(64) REFERENCES write_offs (id),
  changeset_id NVARCHAR(64) NOT NULL,
  created_at VARCHAR(30) NOT NULL
);
CREATE UNIQUE INDEX write_offs_reverses ON write_offs (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX write_offs_document ON write_offs (document_id, writeoff_date);

CREATE TABLE receipt_reversals (
  id NVARCHAR(64) PRIMARY KEY,
  receipt_id NVARCHAR(64) NOT NULL UNIQUE REFERENCES receipts (id),
  reversal_date CHAR(10) NOT NULL,
  reason NVARCHAR(400) NOT NULL,
  changeset_id NVARCHAR(64) NOT NULL,
  created_at VARCHAR(30) NOT NULL
);

CREATE TABLE notes (
  id NVARCHAR(64) PRIMARY KEY,
  customer_id NVARCHAR(64) NOT NULL REFERENCES customers (id),
  document_id NVARCHAR(64) REFERENCES documents (id),
  kind NVARCHAR(400) NOT NULL CHECK (kind IN ('call', 'email', 'letter', 'note', 'promise')),
  body NVARCHAR(MAX) NOT NULL,
  promise_currency CHAR(3),
  promise_amount_minor BIGINT,
  promise_date CHAR(10),
  follow_up_date CHAR(10),
  author NVARCHAR(400) NOT NULL,
  created_at VARCHAR(30) NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id NVARCHAR(64) NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE INDEX notes_document ON notes (document_id, created_at);

CREATE TABLE disputes (
  id NVARCHAR(64) PRIMARY KEY,
  document_id NVARCHAR(64) NOT NULL REFERENCES documents (id),
  reason_code NVARCHAR(400) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  status NVARCHAR(400) NOT NULL CHECK (status IN ('open', 'resolved')),
  note NVARCHAR(MAX) NOT NULL,
  resolution NVARCHAR(400),
  resolution_note NVARCHAR(MAX),
  opened_at VARCHAR(30) NOT NULL,
  opened_by NVARCHAR(400) NOT NULL,
  resolved_at VARCHAR(30),
  resolved_by NVARCHAR(400),
  version INT NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id NVARCHAR(64) NOT NULL
);
CREATE INDEX disputes_document ON disputes (document_id);

CREATE TABLE periods (
  period CHAR(7) PRIMARY KEY,
  status NVARCHAR(400) NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at VARCHAR(30),
  closed_by NVARCHAR(400)
);

CREATE TABLE gl_journals (
  id NVARCHAR(200) PRIMARY KEY,
  journal_date CHAR(10) NOT NULL,
  source NVARCHAR(400) NOT NULL CHECK (source IN ('subledger', 'external')),
  event_kind NVARCHAR(400) NOT NULL,
  event_id NVARCHAR(200) NOT NULL,
  changeset_id NVARCHAR(64),
  memo NVARCHAR(MAX) NOT NULL,
  created_at VARCHAR(30) NOT NULL
);
CREATE INDEX gl_journals_date ON gl_journals (journal_date);

CREATE TABLE gl_lines (
  journal_id NVARCHAR(200) NOT NULL REFERENCES gl_journals (id),
  line_no INT NOT NULL,
  account NVARCHAR(400) NOT NULL,
  currency CHAR(3) NOT NULL,
  debit_minor BIGINT NOT NULL CHECK (debit_minor >= 0),
  credit_minor BIGINT NOT NULL CHECK (credit_minor >= 0),
  PRIMARY KEY (journal_id, line_no)
);
CREATE INDEX gl_lines_account ON gl_lines (account, currency);

CREATE TABLE changesets (
  id NVARCHAR(64) PRIMARY KEY,
  payload_hash NVARCHAR(400) NOT NULL,
  payload NVARCHAR(MAX) NOT NULL,
  result NVARCHAR(MAX) NOT NULL,
  user_name NVARCHAR(400) NOT NULL,
  created_at VARCHAR(30) NOT NULL
);

CREATE TABLE audit_log (
  id BIGINT IDENTITY(1,1) PRIMARY KEY,
  at VARCHAR(30) NOT NULL,
  user_name NVARCHAR(400) NOT NULL,
  action NVARCHAR(400) NOT NULL,
  entity NVARCHAR(400) NOT NULL,
  entity_id NVARCHAR(64) NOT NULL,
  changeset_id NVARCHAR(64),
  detail NVARCHAR(MAX) NOT NULL
);

CREATE TABLE change_log (
  seq BIGINT PRIMARY KEY,
  entity NVARCHAR(400) NOT NULL,
  entity_id NVARCHAR(64) NOT NULL,
  changeset_id NVARCHAR(64),
  at VARCHAR(30) NOT NULL
);

-- One row per counter; UPDATE ... RETURNING takes its row lock until commit,
-- so change-feed sequence numbers become visible in order.
CREATE TABLE counters (
  name NVARCHAR(64) PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE tokens (
  id NVARCHAR(64) PRIMARY KEY,
  token_hash CHAR(64) NOT NULL UNIQUE,
  user_name NVARCHAR(400) NOT NULL,
  role NVARCHAR(400) NOT NULL CHECK (role IN ('viewer', 'clerk', 'controller', 'admin')),
  created_at VARCHAR(30) NOT NULL,
  revoked_at VARCHAR(30)
);

GO
CREATE TRIGGER applications_append_only ON applications INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'applications is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER write_offs_append_only ON write_offs INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'write_offs is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER receipt_reversals_append_only ON receipt_reversals INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'receipt_reversals is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER gl_journals_append_only ON gl_journals INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'gl_journals is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER gl_lines_append_only ON gl_lines INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'gl_lines is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER audit_log_append_only ON audit_log INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'audit_log is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER changesets_append_only ON changesets INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'changesets is append-only: reverse instead', 1;
END;
GO
CREATE TRIGGER change_log_append_only ON change_log INSTEAD OF UPDATE, DELETE AS
BEGIN
  THROW 51000, 'change_log is append-only', 1;
END;
