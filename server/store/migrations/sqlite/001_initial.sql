-- OpenAR ledger, SQLite dialect. Amounts are INTEGER minor units in STRICT
-- tables (SQLite then refuses REAL or TEXT in them); dates are YYYY-MM-DD TEXT.
-- Ledger facts (applications, write_offs, receipt_reversals, gl_*, audit_log,
-- change_log) are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  terms_code TEXT NOT NULL,
  credit_limit_minor INTEGER,
  collector TEXT,
  on_hold INTEGER NOT NULL DEFAULT 0 CHECK (on_hold IN (0, 1)),
  contacts TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL,
  change_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX customers_collector ON customers (collector);

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  doc_type TEXT NOT NULL CHECK (doc_type IN ('invoice', 'debitMemo', 'creditMemo')),
  number TEXT NOT NULL,
  document_date TEXT NOT NULL,
  due_date TEXT NOT NULL,
  -- latest date of anything that changed this document's open amount (as-of queries skip history before it)
  activity_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  terms_code TEXT,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  open_minor INTEGER NOT NULL CHECK (open_minor >= 0 AND open_minor <= amount_minor),
  disputed INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
  memo TEXT,
  version INTEGER NOT NULL,
  change_seq INTEGER NOT NULL,
  changeset_id TEXT NOT NULL,
  UNIQUE (doc_type, number)
) STRICT;
CREATE INDEX documents_customer ON documents (customer_id, due_date);
CREATE INDEX documents_open ON documents (customer_id) WHERE open_minor > 0;

CREATE TABLE receipts (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  receipt_date TEXT NOT NULL,
  activity_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  unapplied_minor INTEGER NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
  method TEXT NOT NULL,
  reference TEXT NOT NULL,
  reversed INTEGER NOT NULL DEFAULT 0 CHECK (reversed IN (0, 1)),
  version INTEGER NOT NULL,
  change_seq INTEGER NOT NULL,
  changeset_id TEXT NOT NULL
) STRICT;
CREATE INDEX receipts_customer ON receipts (customer_id, receipt_date);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('receipt', 'creditMemo')),
  source_id TEXT NOT NULL,
  document_id TEXT NOT NULL REFERENCES documents (id),
  application_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  discount_minor INTEGER NOT NULL,
  writeoff_minor INTEGER NOT NULL,
  writeoff_reason TEXT,
  reverses_id TEXT UNIQUE REFERENCES applications (id),
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX applications_document ON applications (document_id, application_date);
CREATE INDEX applications_source ON applications (source_id, application_date);

CREATE TABLE write_offs (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents (id),
  writeoff_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  reason TEXT NOT NULL,
  reverses_id TEXT UNIQUE REFERENCES write_offs (id),
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX write_offs_document ON write_offs (document_id, writeoff_date);

CREATE TABLE receipt_reversals (
  id TEXT PRIMARY KEY,
  receipt_id TEXT NOT NULL UNIQUE REFERENCES receipts (id),
  reversal_date TEXT NOT NULL,
  reason TEXT NOT NULL,
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  document_id TEXT REFERENCES documents (id),
  kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'letter', 'note', 'promise')),
  body TEXT NOT NULL,
  promise_currency TEXT,
  promise_amount_minor INTEGER,
  promise_date TEXT,
  follow_up_date TEXT,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  change_seq INTEGER NOT NULL,
  changeset_id TEXT NOT NULL
) STRICT;
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE INDEX notes_document ON notes (document_id, created_at);

CREATE TABLE disputes (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents (id),
  reason_code TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  note TEXT NOT NULL,
  resolution TEXT,
  resolution_note TEXT,
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT,
  version INTEGER NOT NULL,
  change_seq INTEGER NOT NULL,
  changeset_id TEXT NOT NULL
) STRICT;
CREATE INDEX disputes_document ON disputes (document_id);

CREATE TABLE periods (
  period TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at TEXT,
  closed_by TEXT
) STRICT;

CREATE TABLE gl_journals (
  id TEXT PRIMARY KEY,
  journal_date TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('subledger', 'external')),
  event_kind TEXT NOT NULL,
  event_id TEXT NOT NULL,
  changeset_id TEXT,
  memo TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX gl_journals_date ON gl_journals (journal_date);

CREATE TABLE gl_lines (
  journal_id TEXT NOT NULL REFERENCES gl_journals (id),
  line_no INTEGER NOT NULL,
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  debit_minor INTEGER NOT NULL CHECK (debit_minor >= 0),
  credit_minor INTEGER NOT NULL CHECK (credit_minor >= 0),
  PRIMARY KEY (journal_id, line_no)
) STRICT;
CREATE INDEX gl_lines_account ON gl_lines (account, currency);

CREATE TABLE changesets (
  id TEXT PRIMARY KEY,
  payload_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT NOT NULL,
  user_name TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  user_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  changeset_id TEXT,
  detail TEXT NOT NULL
) STRICT;

CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  changeset_id TEXT,
  at TEXT NOT NULL
) STRICT;

-- One row per counter; UPDATE ... RETURNING takes its row lock until commit,
-- so change-feed sequence numbers become visible in order.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'clerk', 'controller', 'admin')),
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;

CREATE TRIGGER applications_append_only_u BEFORE UPDATE ON applications BEGIN SELECT RAISE(ABORT, 'applications are append-only: reverse instead'); END;
CREATE TRIGGER applications_append_only_d BEFORE DELETE ON applications BEGIN SELECT RAISE(ABORT, 'applications are append-only: reverse instead'); END;
CREATE TRIGGER write_offs_append_only_u BEFORE UPDATE ON write_offs BEGIN SELECT RAISE(ABORT, 'write_offs are append-only: reverse instead'); END;
CREATE TRIGGER write_offs_append_only_d BEFORE DELETE ON write_offs BEGIN SELECT RAISE(ABORT, 'write_offs are append-only: reverse instead'); END;
CREATE TRIGGER receipt_reversals_append_only_u BEFORE UPDATE ON receipt_reversals BEGIN SELECT RAISE(ABORT, 'receipt_reversals are append-only'); END;
CREATE TRIGGER receipt_reversals_append_only_d BEFORE DELETE ON receipt_reversals BEGIN SELECT RAISE(ABORT, 'receipt_reversals are append-only'); END;
CREATE TRIGGER gl_journals_append_only_u BEFORE UPDATE ON gl_journals BEGIN SELECT RAISE(ABORT, 'gl_journals are append-only'); END;
CREATE TRIGGER gl_journals_append_only_d BEFORE DELETE ON gl_journals BEGIN SELECT RAISE(ABORT, 'gl_journals are append-only'); END;
CREATE TRIGGER gl_lines_append_only_u BEFORE UPDATE ON gl_lines BEGIN SELECT RAISE(ABORT, 'gl_lines are append-only'); END;
CREATE TRIGGER gl_lines_append_only_d BEFORE DELETE ON gl_lines BEGIN SELECT RAISE(ABORT, 'gl_lines are append-only'); END;
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER changesets_append_only_u BEFORE UPDATE ON changesets BEGIN SELECT RAISE(ABORT, 'changesets are append-only'); END;
CREATE TRIGGER changesets_append_only_d BEFORE DELETE ON changesets BEGIN SELECT RAISE(ABORT, 'changesets are append-only'); END;
CREATE TRIGGER change_log_append_only_u BEFORE UPDATE ON change_log BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
CREATE TRIGGER change_log_append_only_d BEFORE DELETE ON change_log BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
