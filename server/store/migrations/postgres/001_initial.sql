-- OpenAR ledger, PostgreSQL dialect. Amounts are BIGINT minor units (pg
-- returns int8 as text, which the store reads as BigInt); dates CHAR(10).
-- Ledger facts are append-only: a trigger refuses UPDATE and DELETE.
-- change_log) are append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  terms_code TEXT NOT NULL,
  credit_limit_minor BIGINT,
  collector TEXT,
  on_hold INTEGER NOT NULL DEFAULT 0 CHECK (on_hold IN (0, 1)),
  contacts TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL,
  change_seq BIGINT NOT NULL
);
CREATE INDEX customers_collector ON customers (collector);

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  doc_type TEXT NOT NULL CHECK (doc_type IN ('invoice', 'debitMemo', 'creditMemo')),
  number TEXT NOT NULL,
  document_date CHAR(10) NOT NULL,
  due_date CHAR(10) NOT NULL,
  -- latest date of anything that changed this document's open amount (as-of queries skip history before it)
  activity_date CHAR(10) NOT NULL,
  currency TEXT NOT NULL,
  terms_code TEXT,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  open_minor BIGINT NOT NULL CHECK (open_minor >= 0 AND open_minor <= amount_minor),
  disputed INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
  memo TEXT,
  version INTEGER NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id TEXT NOT NULL,
  UNIQUE (doc_type, number)
);
CREATE INDEX documents_customer ON documents (customer_id, due_date);
CREATE INDEX documents_open ON documents (customer_id) WHERE open_minor > 0;

CREATE TABLE receipts (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  receipt_date CHAR(10) NOT NULL,
  activity_date CHAR(10) NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  unapplied_minor BIGINT NOT NULL CHECK (unapplied_minor >= 0 AND unapplied_minor <= amount_minor),
  method TEXT NOT NULL,
  reference TEXT NOT NULL,
  reversed INTEGER NOT NULL DEFAULT 0 CHECK (reversed IN (0, 1)),
  version INTEGER NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id TEXT NOT NULL
);
CREATE INDEX receipts_customer ON receipts (customer_id, receipt_date);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('receipt', 'creditMemo')),
  source_id TEXT NOT NULL,
  document_id TEXT NOT NULL REFERENCES documents (id),
  application_date CHAR(10) NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  writeoff_minor BIGINT NOT NULL,
  writeoff_reason TEXT,
  reverses_id TEXT UNIQUE REFERENCES applications (id),
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX applications_document ON applications (document_id, application_date);
CREATE INDEX applications_source ON applications (source_id, application_date);

CREATE TABLE write_offs (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents (id),
  writeoff_date CHAR(10) NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  reason TEXT NOT NULL,
  reverses_id TEXT UNIQUE REFERENCES write_offs (id),
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX write_offs_document ON write_offs (document_id, writeoff_date);

CREATE TABLE receipt_reversals (
  id TEXT PRIMARY KEY,
  receipt_id TEXT NOT NULL UNIQUE REFERENCES receipts (id),
  reversal_date CHAR(10) NOT NULL,
  reason TEXT NOT NULL,
  changeset_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  document_id TEXT REFERENCES documents (id),
  kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'letter', 'note', 'promise')),
  body TEXT NOT NULL,
  promise_currency TEXT,
  promise_amount_minor BIGINT,
  promise_date CHAR(10),
  follow_up_date CHAR(10),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id TEXT NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE INDEX notes_document ON notes (document_id, created_at);

CREATE TABLE disputes (
  id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents (id),
  reason_code TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  note TEXT NOT NULL,
  resolution TEXT,
  resolution_note TEXT,
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT,
  version INTEGER NOT NULL,
  change_seq BIGINT NOT NULL,
  changeset_id TEXT NOT NULL
);
CREATE INDEX disputes_document ON disputes (document_id);

CREATE TABLE periods (
  period CHAR(7) PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at TEXT,
  closed_by TEXT
);

CREATE TABLE gl_journals (
  id TEXT PRIMARY KEY,
  journal_date CHAR(10) NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('subledger', 'external')),
  event_kind TEXT NOT NULL,
  event_id TEXT NOT NULL,
  changeset_id TEXT,
  memo TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX gl_journals_date ON gl_journals (journal_date);

CREATE TABLE gl_lines (
  journal_id TEXT NOT NULL REFERENCES gl_journals (id),
  line_no INTEGER NOT NULL,
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  debit_minor BIGINT NOT NULL CHECK (debit_minor >= 0),
  credit_minor BIGINT NOT NULL CHECK (credit_minor >= 0),
  PRIMARY KEY (journal_id, line_no)
);
CREATE INDEX gl_lines_account ON gl_lines (account, currency);

CREATE TABLE changesets (
  id TEXT PRIMARY KEY,
  payload_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT NOT NULL,
  user_name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL,
  user_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  changeset_id TEXT,
  detail TEXT NOT NULL
);

CREATE TABLE change_log (
  seq BIGINT PRIMARY KEY,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  changeset_id TEXT,
  at TEXT NOT NULL
);

-- One row per counter; UPDATE ... RETURNING takes its row lock until commit,
-- so change-feed sequence numbers become visible in order.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'clerk', 'controller', 'admin')),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);


CREATE FUNCTION openar_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: reverse instead', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER applications_append_only BEFORE UPDATE OR DELETE ON applications FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER write_offs_append_only BEFORE UPDATE OR DELETE ON write_offs FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER receipt_reversals_append_only BEFORE UPDATE OR DELETE ON receipt_reversals FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER gl_journals_append_only BEFORE UPDATE OR DELETE ON gl_journals FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER gl_lines_append_only BEFORE UPDATE OR DELETE ON gl_lines FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER changesets_append_only BEFORE UPDATE OR DELETE ON changesets FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log FOR EACH ROW EXECUTE FUNCTION openar_append_only();

-- TRUNCATE bypasses row triggers; refuse it too.
CREATE TRIGGER applications_no_truncate BEFORE TRUNCATE ON applications FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER write_offs_no_truncate BEFORE TRUNCATE ON write_offs FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER receipt_reversals_no_truncate BEFORE TRUNCATE ON receipt_reversals FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER gl_journals_no_truncate BEFORE TRUNCATE ON gl_journals FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER gl_lines_no_truncate BEFORE TRUNCATE ON gl_lines FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER changesets_no_truncate BEFORE TRUNCATE ON changesets FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
