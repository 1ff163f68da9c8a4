/**
 * Every SQL statement of bank statements (import, lines, matching), CSV
 * mappings, remembered payer accounts, external GL journals and the two
 * reconciliations, as builders that take the dialect. The SQL Server golden
 * test compiles every export of this folder, so no SQL text lives anywhere else.
 *
 * Amounts are `*_minor` BIGINT columns, read back as bigint by `normalizeRow`;
 * bank line amounts are signed (a credit positive, a debit negative).
 */
import { bool, date, int, join, minor, raw, sql, text, type Dialect, type Sql, type SqlParam } from "../sql.js";

const ids = (values: readonly string[]): Sql => join(values.map((v) => sql`${text(v)}`));

function values(rows: readonly (readonly SqlParam[])[]): Sql {
  return join(rows.map((row) => sql`(${join(row.map((p) => sql`${p}`))})`));
}

/** `column IN (…)`; an empty list matches nothing (and stays valid SQL). */
function inList(column: Sql, list: readonly string[]): Sql {
  if (list.length === 0) return raw("1 = 0");
  return sql`${column} IN (${ids(list)})`;
}

function orderedLimit(dialect: Dialect, orderBy: Sql, limit: number): Sql {
  if (dialect === "mssql") return sql` ORDER BY ${orderBy} OFFSET 0 ROWS FETCH NEXT ${int(limit)} ROWS ONLY`;
  return sql` ORDER BY ${orderBy} LIMIT ${int(limit)}`;
}

// -- bank statements -------------------------------------------------------------

const STATEMENT_COLUMNS = raw(
  "s.id, s.file_sha256, s.file_index, s.file_name, s.format, s.account, s.iban, s.currency, s.bank_statement_id, s.statement_date, s.from_date, s.to_date, s.opening_minor, s.closing_minor, s.line_count, s.imported_at, s.imported_by",
);

/** The statements already imported from the file with this SHA-256, in file order. */
export function selectStatementsByFile(_d: Dialect, sha256: string): Sql {
  return sql`SELECT ${STATEMENT_COLUMNS} FROM bank_statements s WHERE s.file_sha256 = ${text(sha256)} ORDER BY s.file_index`;
}

export function selectStatementById(_d: Dialect, id: string): Sql {
  return sql`SELECT ${STATEMENT_COLUMNS} FROM bank_statements s WHERE s.id = ${text(id)}`;
}

/** The latest imports first, optionally of one account. */
export function selectStatements(d: Dialect, args: { account?: string | undefined; limit: number }): Sql {
  const where = args.account === undefined ? raw("1 = 1") : sql`s.account = ${text(args.account)}`;
  return sql`SELECT ${STATEMENT_COLUMNS} FROM bank_statements s WHERE ${where}${orderedLimit(d, raw("s.imported_at DESC, s.id DESC"), args.limit)}`;
}

export interface StatementValues {
  id: string;
  fileSha256: string;
  fileIndex: number;
  fileName: string | null;
  format: string;
  account: string;
  iban: string | null;
  currency: string;
  bankStatementId: string | null;
  statementDate: string | null;
  fromDate: string | null;
  toDate: string | null;
  openingMinor: bigint | null;
  closingMinor: bigint | null;
  lineCount: number;
  importedAt: string;
  importedBy: string;
}

export function insertStatement(_d: Dialect, r: StatementValues): Sql {
  return sql`INSERT INTO bank_statements (id, file_sha256, file_index, file_name, format, account, iban, currency, bank_statement_id, statement_date, from_date, to_date, opening_minor, closing_minor, line_count, imported_at, imported_by) VALUES ${values([
    [text(r.id), text(r.fileSha256), int(r.fileIndex), text(r.fileName), text(r.format), text(r.account), text(r.iban), text(r.currency), text(r.bankStatementId), date(r.statementDate), date(r.fromDate), date(r.toDate), minor(r.openingMinor), minor(r.closingMinor), int(r.lineCount), text(r.importedAt), text(r.importedBy)],
  ])}`;
}

// -- bank lines --------------------------------------------------------------------

export interface BankLineValues {
  id: string;
  statementId: string;
  lineNo: number;
  fileLine: number;
  recordRef: string;
  bookingDate: string;
  valueDate: string | null;
  amountMinor: bigint;
  currency: string;
  direction: string;
  entryStatus: string;
  reversal: boolean;
  bankReference: string | null;
  customerReference: string | null;
  payerName: string | null;
  payerAccount: string | null;
  typeCode: string | null;
  checkNumber: string | null;
  remittance: string;
}

/** Columns per bank line row: chunk inserts with chunkRows(rows, BANK_LINE_COLUMNS). */
export const BANK_LINE_COLUMNS = 22;

export function insertBankLines(_d: Dialect, rows: readonly BankLineValues[]): Sql {
  return sql`INSERT INTO bank_lines (id, statement_id, line_no, file_line, record_ref, booking_date, value_date, amount_minor, currency, direction, entry_status, reversal, bank_reference, customer_reference, payer_name, payer_account, type_code, check_number, remittance, status, receipt_id, version) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.statementId), int(r.lineNo), int(r.fileLine), text(r.recordRef), date(r.bookingDate), date(r.valueDate), minor(r.amountMinor), text(r.currency), text(r.direction), text(r.entryStatus), bool(r.reversal), text(r.bankReference), text(r.customerReference), text(r.payerName), text(r.payerAccount), text(r.typeCode), text(r.checkNumber), text(r.remittance), text("open"), text(null), int(1)]),
  )}`;
}

const LINE_COLUMNS = raw(
  "b.id, b.statement_id, b.line_no, b.file_line, b.record_ref, b.booking_date, b.value_date, b.amount_minor, b.currency, b.direction, b.entry_status, b.reversal, b.bank_reference, b.customer_reference, b.payer_name, b.payer_account, b.type_code, b.check_number, b.remittance, b.status, b.receipt_id, b.version",
);

/** A statement's lines in file order, optionally only those with one match status. */
export function selectLinesOfStatement(_d: Dialect, args: { statementId: string; status?: string | undefined }): Sql {
  const status = args.status === undefined ? raw("") : sql` AND b.status = ${text(args.status)}`;
  return sql`SELECT ${LINE_COLUMNS} FROM bank_lines b WHERE b.statement_id = ${text(args.statementId)}${status} ORDER BY b.line_no`;
}

/** Lines a change set names, locked for the guarded update (as loadWorld locks documents and receipts). */
export function selectBankLinesById(d: Dialect, idList: readonly string[]): Sql {
  const hint = d === "mssql" ? raw(" WITH (UPDLOCK, ROWLOCK)") : raw("");
  const lock = d === "postgres" ? raw(" FOR UPDATE") : raw("");
  return sql`SELECT b.id, b.statement_id, b.amount_minor, b.currency, b.direction, b.entry_status, b.status, b.receipt_id, b.payer_account, b.version FROM bank_lines b${hint} WHERE b.id IN (${ids(idList)})${lock}`;
}

/**
 * Marks a line matched to a receipt, guarded: only if it is still open and
 * at the version the plan was made from. Zero rows means someone else
 * matched it first.
 */
export function matchBankLine(_d: Dialect, r: { id: string; baseVersion: number; receiptId: string }): Sql {
  return sql`UPDATE bank_lines SET status = ${text("matched")}, receipt_id = ${text(r.receiptId)}, version = version + 1 WHERE id = ${text(r.id)} AND version = ${int(r.baseVersion)} AND status = ${text("open")}`;
}

// -- remembered payer accounts -------------------------------------------------------

/** Remembers (or re-points) a payer's bank account to the customer a confirmed match named. */
export function rememberPayerAccount(
  d: Dialect,
  r: { payerAccount: string; customerId: string; at: string; by: string; changeSetId: string | null },
): Sql {
  if (d === "mssql") {
    return sql`MERGE customer_bank_accounts WITH (HOLDLOCK) AS t USING (SELECT ${text(r.payerAccount)} AS payer_account) AS s ON t.payer_account = s.payer_account WHEN MATCHED THEN UPDATE SET customer_id = ${text(r.customerId)}, remembered_at = ${text(r.at)}, remembered_by = ${text(r.by)}, changeset_id = ${text(r.changeSetId)} WHEN NOT MATCHED THEN INSERT (payer_account, customer_id, remembered_at, remembered_by, changeset_id) VALUES (s.payer_account, ${text(r.customerId)}, ${text(r.at)}, ${text(r.by)}, ${text(r.changeSetId)});`;
  }
  return sql`INSERT INTO customer_bank_accounts (payer_account, customer_id, remembered_at, remembered_by, changeset_id) VALUES (${text(r.payerAccount)}, ${text(r.customerId)}, ${text(r.at)}, ${text(r.by)}, ${text(r.changeSetId)}) ON CONFLICT (payer_account) DO UPDATE SET customer_id = ${text(r.customerId)}, remembered_at = ${text(r.at)}, remembered_by = ${text(r.by)}, changeset_id = ${text(r.changeSetId)}`;
}

export function selectRememberedAccounts(_d: Dialect, accounts: readonly string[]): Sql {
  return sql`SELECT k.payer_account, k.customer_id FROM customer_bank_accounts k WHERE ${inList(raw("k.payer_account"), accounts)}`;
}

// -- CSV mappings --------------------------------------------------------------------

export function selectCsvMapping(_d: Dialect, bank: string): Sql {
  return sql`SELECT m.bank, m.mapping, m.updated_at, m.updated_by, m.version FROM csv_mappings m WHERE m.bank = ${text(bank)}`;
}

export function upsertCsvMapping(d: Dialect, r: { bank: string; mapping: string; at: string; by: string }): Sql {
  if (d === "mssql") {
    return sql`MERGE csv_mappings WITH (HOLDLOCK) AS t USING (SELECT ${text(r.bank)} AS bank) AS s ON t.bank = s.bank WHEN MATCHED THEN UPDATE SET mapping = ${text(r.mapping)}, updated_at = ${text(r.at)}, updated_by = ${text(r.by)}, version = t.version + 1 WHEN NOT MATCHED THEN INSERT (bank, mapping, updated_at, updated_by, version) VALUES (s.bank, ${text(r.mapping)}, ${text(r.at)}, ${text(r.by)}, 1);`;
  }
  return sql`INSERT INTO csv_mappings (bank, mapping, updated_at, updated_by, version) VALUES (${text(r.bank)}, ${text(r.mapping)}, ${text(r.at)}, ${text(r.by)}, 1) ON CONFLICT (bank) DO UPDATE SET mapping = ${text(r.mapping)}, updated_at = ${text(r.at)}, updated_by = ${text(r.by)}, version = csv_mappings.version + 1`;
}

// -- bank reconciliation ---------------------------------------------------------------

const RECEIPT_COLUMNS = raw(
  "r.id, r.customer_id, c.number AS customer_number, c.name AS customer_name, r.receipt_date, r.currency, r.amount_minor, r.method, r.reference, r.reversed",
);

/** The receipts that record this statement's lines, each with its line's id. */
export function selectReceiptsOfStatement(_d: Dialect, statementId: string): Sql {
  return sql`SELECT b.id AS bank_line_id, ${RECEIPT_COLUMNS} FROM bank_lines b JOIN receipts r ON r.id = b.receipt_id JOIN customers c ON c.id = r.customer_id WHERE b.statement_id = ${text(statementId)} ORDER BY b.line_no`;
}

/** Receipts dated within [from, to] in this currency that no bank line records. */
export function selectReceiptsWithoutLine(_d: Dialect, args: { currency: string; from: string; to: string }): Sql {
  return sql`SELECT ${RECEIPT_COLUMNS} FROM receipts r JOIN customers c ON c.id = r.customer_id WHERE r.currency = ${text(args.currency)} AND r.receipt_date >= ${date(args.from)} AND r.receipt_date <= ${date(args.to)} AND NOT EXISTS (SELECT 1 FROM bank_lines b WHERE b.receipt_id = r.id) ORDER BY r.receipt_date, r.id`;
}

// -- external GL journals ----------------------------------------------------------------

export function selectJournalsById(_d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT j.id FROM gl_journals j WHERE ${inList(raw("j.id"), idList)}`;
}

// -- AR-to-GL reconciliation ----------------------------------------------------------------

/** Σ debit − credit on the account per currency, over journals dated on or before D. */
export function accountBalanceAsOf(_d: Dialect, args: { account: string; asOf: string }): Sql {
  return sql`SELECT l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS balance_minor FROM gl_lines l JOIN gl_journals j ON j.id = l.journal_id WHERE l.account = ${text(args.account)} AND j.journal_date <= ${date(args.asOf)} GROUP BY l.currency`;
}

/** Each journal's net effect on the account (debit − credit) per currency, as a derived table `s`. */
function netOnAccount(account: string): Sql {
  return sql`(SELECT l.journal_id, l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS amount_minor FROM gl_lines l WHERE l.account = ${text(account)} GROUP BY l.journal_id, l.currency) s`;
}

/** Journals from outside the subledger that reach the account, dated on or before D, with their net effect. */
export function externalJournalsAsOf(_d: Dialect, args: { account: string; asOf: string }): Sql {
  return sql`SELECT j.id AS journal_id, j.journal_date, j.event_id, j.memo, j.created_at, s.currency, s.amount_minor FROM gl_journals j JOIN ${netOnAccount(args.account)} ON s.journal_id = j.id WHERE j.source = ${text("external")} AND j.journal_date <= ${date(args.asOf)} ORDER BY j.journal_date, j.id`;
}

/**
 * Subledger journals to the account whose journal date and event date fall
 * on different sides of D (one on or before it, the other after), or whose
 * event row is missing: these make the GL as of D differ from the subledger
 * as of D. The event is the document, application or write-off the journal
 * posts (receipts and their reversals never reach AR).
 */
export function subledgerPostingsAcross(_d: Dialect, args: { account: string; asOf: string }): Sql {
  const d = args.asOf;
  return sql`SELECT t.journal_id, t.event_kind, t.event_id, t.journal_date, t.event_date, t.reference, t.currency, t.amount_minor FROM (SELECT j.id AS journal_id, j.event_kind, j.event_id, j.journal_date, COALESCE(d.document_date, a.application_date, w.writeoff_date) AS event_date, COALESCE(d.number, ad.number, wd.number) AS reference, s.currency, s.amount_minor FROM gl_journals j JOIN ${netOnAccount(args.account)} ON s.journal_id = j.id LEFT JOIN documents d ON d.id = j.event_id AND j.event_kind IN ('invoice', 'debitMemo', 'creditMemo') LEFT JOIN applications a ON a.id = j.event_id AND j.event_kind IN ('application', 'applicationReversal') LEFT JOIN documents ad ON ad.id = a.document_id LEFT JOIN write_offs w ON w.id = j.event_id AND j.event_kind = 'writeOff' LEFT JOIN documents wd ON wd.id = w.document_id WHERE j.source = ${text("subledger")}) t WHERE (t.journal_date <= ${date(d)} AND (t.event_date IS NULL OR t.event_date > ${date(d)})) OR (t.journal_date > ${date(d)} AND t.event_date <= ${date(d)}) ORDER BY t.journal_date, t.journal_id`;
}

/** No subledger journal exists for this event (by its id). */
function unposted(eventId: Sql): Sql {
  return sql`NOT EXISTS (SELECT 1 FROM gl_journals j WHERE j.event_id = ${eventId} AND j.source = 'subledger')`;
}

/**
 * Subledger events dated on or before D that change AR but have no journal:
 * documents (credit memos negative), applications (cash, discount and
 * write-off reduce AR; a credit memo's own amount nets to zero on AR) and
 * write-offs, each with its effect on AR.
 */
export function unpostedEventsAsOf(_d: Dialect, args: { asOf: string }): Sql {
  const d = args.asOf;
  const applicationEffect = raw("(CASE WHEN a.source_kind = 'receipt' THEN a.amount_minor ELSE 0 END + a.discount_minor + a.writeoff_minor)");
  return sql`SELECT u.event_kind, u.event_id, u.reference, u.event_date, u.currency, u.amount_minor FROM (SELECT d.doc_type AS event_kind, d.id AS event_id, d.number AS reference, d.document_date AS event_date, d.currency, CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor FROM documents d WHERE d.document_date <= ${date(d)} AND ${unposted(raw("d.id"))} UNION ALL SELECT CASE WHEN a.reverses_id IS NULL THEN 'application' ELSE 'applicationReversal' END AS event_kind, a.id AS event_id, ad.number AS reference, a.application_date AS event_date, a.currency, -${applicationEffect} AS amount_minor FROM applications a JOIN documents ad ON ad.id = a.document_id WHERE a.application_date <= ${date(d)} AND ${applicationEffect} <> 0 AND ${unposted(raw("a.id"))} UNION ALL SELECT 'writeOff' AS event_kind, w.id AS event_id, wd.number AS reference, w.writeoff_date AS event_date, w.currency, CASE WHEN wd.doc_type = 'creditMemo' THEN w.amount_minor ELSE -w.amount_minor END AS amount_minor FROM write_offs w JOIN documents wd ON wd.id = w.document_id WHERE w.writeoff_date <= ${date(d)} AND ${unposted(raw("w.id"))}) u ORDER BY u.event_date, u.event_id`;
}
