-- Bank statements and their lines (imported from BAI2, camt, lockbox, CSV),
-- payer accounts remembered from confirmed matches, CSV mappings per bank.
-- Amounts are BIGINT minor units, signed from the account holder's side
-- (a credit positive, a debit negative). A file imports once: its SHA-256
-- and the statement's position in it are unique. Statements are append-only;
-- a line changes only its match status, receipt and version.

CREATE TABLE bank_statements (
  id TEXT PRIMARY KEY,
  file_sha256 CHAR(64) NOT NULL,
  file_index INTEGER NOT NULL CHECK (file_index >= 0),
  file_name TEXT,
  format TEXT NOT NULL CHECK (format IN ('bai2', 'camt.052', 'camt.053', 'camt.054', 'lockbox', 'csv')),
  account TEXT NOT NULL,
  iban TEXT,
  currency TEXT NOT NULL,
  bank_statement_id TEXT,
  statement_date CHAR(10),
  -- first and last booking date of the lines (the statement date when it has none)
  from_date CHAR(10),
  to_date CHAR(10),
  opening_minor BIGINT,
  closing_minor BIGINT,
  line_count INTEGER NOT NULL CHECK (line_count >= 0),
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  UNIQUE (file_sha256, file_index)
);
CREATE INDEX bank_statements_account ON bank_statements (account, statement_date);

CREATE TABLE bank_lines (
  id TEXT PRIMARY KEY,
  statement_id TEXT NOT NULL REFERENCES bank_statements (id),
  line_no INTEGER NOT NULL CHECK (line_no >= 1),
  file_line INTEGER NOT NULL,
  record_ref TEXT NOT NULL,
  booking_date CHAR(10) NOT NULL,
  value_date CHAR(10),
  amount_minor BIGINT NOT NULL,
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
);
CREATE INDEX bank_lines_receipt ON bank_lines (receipt_id);

CREATE TABLE customer_bank_accounts (
  payer_account TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  remembered_at TEXT NOT NULL,
  remembered_by TEXT NOT NULL,
  changeset_id TEXT
);
CREATE INDEX customer_bank_accounts_customer ON customer_bank_accounts (customer_id);

CREATE TABLE csv_mappings (
  bank TEXT PRIMARY KEY,
  mapping TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  version INTEGER NOT NULL
);

-- AR-to-GL reconciliation looks up each subledger event's journal.
CREATE INDEX gl_journals_event ON gl_journals (event_id);

CREATE TRIGGER bank_statements_append_only BEFORE UPDATE OR DELETE ON bank_statements FOR EACH ROW EXECUTE FUNCTION openar_append_only();
CREATE TRIGGER bank_statements_no_truncate BEFORE TRUNCATE ON bank_statements FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();

CREATE FUNCTION openar_bank_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'bank_lines are never deleted' USING ERRCODE = 'restrict_violation';
  END IF;
  IF ROW(NEW.id, NEW.statement_id, NEW.line_no, NEW.file_line, NEW.record_ref, NEW.booking_date, NEW.value_date, NEW.amount_minor, NEW.currency, NEW.direction, NEW.entry_status, NEW.reversal, NEW.bank_reference, NEW.customer_reference, NEW.payer_name, NEW.payer_account, NEW.type_code, NEW.check_number, NEW.remittance)
     IS DISTINCT FROM ROW(OLD.id, OLD.statement_id, OLD.line_no, OLD.file_line, OLD.record_ref, OLD.booking_date, OLD.value_date, OLD.amount_minor, OLD.currency, OLD.direction, OLD.entry_status, OLD.reversal, OLD.bank_reference, OLD.customer_reference, OLD.payer_name, OLD.payer_account, OLD.type_code, OLD.check_number, OLD.remittance) THEN
    RAISE EXCEPTION 'a bank line changes only its status, receipt and version' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER bank_lines_guard BEFORE UPDATE OR DELETE ON bank_lines FOR EACH ROW EXECUTE FUNCTION openar_bank_line_guard();
CREATE TRIGGER bank_lines_no_truncate BEFORE TRUNCATE ON bank_lines FOR EACH STATEMENT EXECUTE FUNCTION openar_append_only();
