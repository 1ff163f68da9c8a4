/**
 * Every SQL statement of the write path (change sets), as builders that take
 * the dialect. The SQL Server golden test compiles every export of this
 * folder, so no SQL text lives anywhere else.
 *
 * Multi-row inserts take arrays; the caller chunks them with `chunkRows` so a
 * statement stays under SQL Server's 2,100-parameter limit.
 */
import { bool, date, int, join, minor, raw, seq, sql, text, type Dialect, type Sql, type SqlParam } from "../sql.js";

/** Rows per multi-row INSERT so that rows × columns stays under 2,000 parameters. */
export function chunkRows<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.min(500, Math.floor(2000 / columns)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** Chunks for IN (…) lists. */
export const ID_CHUNK = 1000;

const ids = (values: readonly string[]): Sql => join(values.map((v) => sql`${text(v)}`));

function values(rows: readonly (readonly SqlParam[])[]): Sql {
  return join(rows.map((row) => sql`(${join(row.map((p) => sql`${p}`))})`));
}

/** Row lock on rows read for update: PostgreSQL FOR UPDATE, SQL Server UPDLOCK hint; SQLite's writer lock already covers it. */
function lockHint(d: Dialect): Sql {
  return d === "mssql" ? raw(" WITH (UPDLOCK, ROWLOCK)") : raw("");
}
function forUpdate(d: Dialect): Sql {
  return d === "postgres" ? raw(" FOR UPDATE") : raw("");
}

// -- change sets ---------------------------------------------------------------

export function selectChangeSet(_d: Dialect, id: string): Sql {
  return sql`SELECT id, payload_hash, payload, result FROM changesets WHERE id = ${text(id)}`;
}

export function insertChangeSet(
  _d: Dialect,
  row: { id: string; payloadHash: string; payload: string; result: string; user: string; createdAt: string },
): Sql {
  return sql`INSERT INTO changesets (id, payload_hash, payload, result, user_name, created_at) VALUES (${text(row.id)}, ${text(row.payloadHash)}, ${text(row.payload)}, ${text(row.result)}, ${text(row.user)}, ${text(row.createdAt)})`;
}

// -- loading the world (locked) -------------------------------------------------

export function selectCustomersById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, version FROM customers${lockHint(d)} WHERE id IN (${ids(idList)})${forUpdate(d)}`;
}

export function selectDocumentsById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, version FROM documents${lockHint(d)} WHERE id IN (${ids(idList)})${forUpdate(d)}`;
}

export function selectReceiptsById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version FROM receipts${lockHint(d)} WHERE id IN (${ids(idList)})${forUpdate(d)}`;
}

const APPLICATION_COLUMNS = raw(
  "a.id, a.source_kind, a.source_id, a.document_id, a.application_date, a.currency, a.amount_minor, a.discount_minor, a.writeoff_minor, a.reverses_id, " +
    "CASE WHEN EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) THEN 1 ELSE 0 END AS is_reversed",
);

export function selectApplicationsById(_d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.id IN (${ids(idList)})`;
}

/** Applications sourced from these receipts or credit memos that are not reversals and not yet reversed. */
export function selectActiveApplicationsBySource(_d: Dialect, sourceIds: readonly string[]): Sql {
  return sql`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.source_id IN (${ids(sourceIds)}) AND a.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) ORDER BY a.application_date, a.id`;
}

export function selectDisputesById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, document_id, status, version FROM disputes${lockHint(d)} WHERE id IN (${ids(idList)})${forUpdate(d)}`;
}

export function selectOpenDisputesByDocument(_d: Dialect, documentIds: readonly string[]): Sql {
  return sql`SELECT id, document_id, status, version FROM disputes WHERE status = ${"open"} AND document_id IN (${ids(documentIds)})`;
}

/** Which of these ids exist already, in any table a change set creates rows in. */
export function selectTakenIds(d: Dialect, idList: readonly string[]): Sql {
  const list = ids(idList);
  if (d === "mssql") {
    // SQL Server takes at most 2,100 parameters: bind the ids once (ID_CHUNK of them) and let the
    // optimizer push the IN list into each branch, instead of repeating it eight times.
    return sql`SELECT t.id FROM (SELECT id FROM customers UNION ALL SELECT id FROM documents UNION ALL SELECT id FROM receipts UNION ALL SELECT id FROM applications UNION ALL SELECT id FROM write_offs UNION ALL SELECT id FROM receipt_reversals UNION ALL SELECT id FROM notes UNION ALL SELECT id FROM disputes) t WHERE t.id IN (${list})`;
  }
  return sql`SELECT id FROM customers WHERE id IN (${list})
UNION ALL SELECT id FROM documents WHERE id IN (${list})
UNION ALL SELECT id FROM receipts WHERE id IN (${list})
UNION ALL SELECT id FROM applications WHERE id IN (${list})
UNION ALL SELECT id FROM write_offs WHERE id IN (${list})
UNION ALL SELECT id FROM receipt_reversals WHERE id IN (${list})
UNION ALL SELECT id FROM notes WHERE id IN (${list})
UNION ALL SELECT id FROM disputes WHERE id IN (${list})`;
}

export function selectTakenCustomerNumbers(_d: Dialect, numbers: readonly string[]): Sql {
  return sql`SELECT number FROM customers WHERE number IN (${ids(numbers)})`;
}

export function selectTakenDocumentNumbers(_d: Dialect, numbers: readonly string[]): Sql {
  return sql`SELECT doc_type, number FROM documents WHERE number IN (${ids(numbers)})`;
}

export function selectClosedPeriods(_d: Dialect): Sql {
  return sql`SELECT period FROM periods WHERE status = ${"closed"}`;
}

// -- writing -------------------------------------------------------------------

export interface CustomerValues {
  id: string;
  number: string;
  name: string;
  currency: string;
  termsCode: string;
  creditLimitMinor: bigint | null;
  collector: string | null;
  onHold: boolean;
  contacts: string;
}

export function insertCustomers(_d: Dialect, rows: readonly (CustomerValues & { changeSeq: bigint })[]): Sql {
  return sql`INSERT INTO customers (id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, contacts, version, change_seq) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.number), text(r.name), text(r.currency), text(r.termsCode), minor(r.creditLimitMinor), text(r.collector), bool(r.onHold), text(r.contacts), int(1), seq(r.changeSeq)]),
  )}`;
}

export function updateCustomer(_d: Dialect, row: CustomerValues & { baseVersion: number; changeSeq: bigint }): Sql {
  return sql`UPDATE customers SET number = ${text(row.number)}, name = ${text(row.name)}, terms_code = ${text(row.termsCode)}, credit_limit_minor = ${minor(row.creditLimitMinor)}, collector = ${text(row.collector)}, on_hold = ${bool(row.onHold)}, contacts = ${text(row.contacts)}, version = version + 1, change_seq = ${seq(row.changeSeq)} WHERE id = ${text(row.id)} AND version = ${int(row.baseVersion)}`;
}

export interface DocumentValues {
  id: string;
  customerId: string;
  type: string;
  number: string;
  documentDate: string;
  dueDate: string;
  currency: string;
  termsCode: string | null;
  amountMinor: bigint;
  memo: string | null;
  changeSeq: bigint;
  changeSetId: string;
}

export function insertDocuments(_d: Dialect, rows: readonly DocumentValues[]): Sql {
  return sql`INSERT INTO documents (id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, memo, version, change_seq, changeset_id) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.customerId), text(r.type), text(r.number), date(r.documentDate), date(r.dueDate), date(r.documentDate), text(r.currency), text(r.termsCode), minor(r.amountMinor), minor(r.amountMinor), int(0), text(r.memo), int(1), seq(r.changeSeq), text(r.changeSetId)]),
  )}`;
}

export interface ReceiptValues {
  id: string;
  customerId: string;
  date: string;
  currency: string;
  amountMinor: bigint;
  method: string;
  reference: string;
  changeSeq: bigint;
  changeSetId: string;
}

export function insertReceipts(_d: Dialect, rows: readonly ReceiptValues[]): Sql {
  return sql`INSERT INTO receipts (id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version, change_seq, changeset_id) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.customerId), date(r.date), date(r.date), text(r.currency), minor(r.amountMinor), minor(r.amountMinor), text(r.method), text(r.reference), int(0), int(1), seq(r.changeSeq), text(r.changeSetId)]),
  )}`;
}

export interface ApplicationValues {
  id: string;
  sourceKind: string;
  sourceId: string;
  documentId: string;
  date: string;
  currency: string;
  amountMinor: bigint;
  discountMinor: bigint;
  writeOffMinor: bigint;
  writeOffReason: string | null;
  reversesId: string | null;
  changeSetId: string;
  createdAt: string;
}

export function insertApplications(_d: Dialect, rows: readonly ApplicationValues[]): Sql {
  return sql`INSERT INTO applications (id, source_kind, source_id, document_id, application_date, currency, amount_minor, discount_minor, writeoff_minor, writeoff_reason, reverses_id, changeset_id, created_at) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.sourceKind), text(r.sourceId), text(r.documentId), date(r.date), text(r.currency), minor(r.amountMinor), minor(r.discountMinor), minor(r.writeOffMinor), text(r.writeOffReason), text(r.reversesId), text(r.changeSetId), text(r.createdAt)]),
  )}`;
}

export function insertWriteOffs(
  _d: Dialect,
  rows: readonly { id: string; documentId: string; date: string; currency: string; amountMinor: bigint; reason: string; changeSetId: string; createdAt: string }[],
): Sql {
  return sql`INSERT INTO write_offs (id, document_id, writeoff_date, currency, amount_minor, reason, reverses_id, changeset_id, created_at) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.documentId), date(r.date), text(r.currency), minor(r.amountMinor), text(r.reason), text(null), text(r.changeSetId), text(r.createdAt)]),
  )}`;
}

export function insertReceiptReversal(
  _d: Dialect,
  r: { id: string; receiptId: string; date: string; reason: string; changeSetId: string; createdAt: string },
): Sql {
  return sql`INSERT INTO receipt_reversals (id, receipt_id, reversal_date, reason, changeset_id, created_at) VALUES (${text(r.id)}, ${text(r.receiptId)}, ${date(r.date)}, ${text(r.reason)}, ${text(r.changeSetId)}, ${text(r.createdAt)})`;
}

export interface NoteValues {
  id: string;
  customerId: string;
  documentId: string | null;
  kind: string;
  body: string;
  promiseCurrency: string | null;
  promiseAmountMinor: bigint | null;
  promiseDate: string | null;
  followUpDate: string | null;
  author: string;
  createdAt: string;
  changeSeq: bigint;
  changeSetId: string;
}

export function insertNotes(_d: Dialect, rows: readonly NoteValues[]): Sql {
  return sql`INSERT INTO notes (id, customer_id, document_id, kind, body, promise_currency, promise_amount_minor, promise_date, follow_up_date, author, created_at, change_seq, changeset_id) VALUES ${values(
    rows.map((r) => [text(r.id), text(r.customerId), text(r.documentId), text(r.kind), text(r.body), text(r.promiseCurrency), minor(r.promiseAmountMinor), date(r.promiseDate), date(r.followUpDate), text(r.author), text(r.createdAt), seq(r.changeSeq), text(r.changeSetId)]),
  )}`;
}

export function insertDispute(
  _d: Dialect,
  r: { id: string; documentId: string; reasonCode: string; currency: string; amountMinor: bigint; note: string; openedAt: string; openedBy: string; changeSeq: bigint; changeSetId: string },
): Sql {
  return sql`INSERT INTO disputes (id, document_id, reason_code, currency, amount_minor, status, note, resolution, resolution_note, opened_at, opened_by, resolved_at, resolved_by, version, change_seq, changeset_id) VALUES (${text(r.id)}, ${text(r.documentId)}, ${text(r.reasonCode)}, ${text(r.currency)}, ${minor(r.amountMinor)}, ${"open"}, ${text(r.note)}, ${text(null)}, ${text(null)}, ${text(r.openedAt)}, ${text(r.openedBy)}, ${text(null)}, ${text(null)}, ${int(1)}, ${seq(r.changeSeq)}, ${text(r.changeSetId)})`;
}

export function resolveDispute(
  _d: Dialect,
  r: { id: string; baseVersion: number; resolution: string; note: string; resolvedAt: string; resolvedBy: string; changeSeq: bigint },
): Sql {
  return sql`UPDATE disputes SET status = ${"resolved"}, resolution = ${text(r.resolution)}, resolution_note = ${text(r.note)}, resolved_at = ${text(r.resolvedAt)}, resolved_by = ${text(r.resolvedBy)}, version = version + 1, change_seq = ${seq(r.changeSeq)} WHERE id = ${text(r.id)} AND version = ${int(r.baseVersion)} AND status = ${"open"}`;
}

export function closePeriod(d: Dialect, r: { period: string; closedAt: string; closedBy: string }): Sql {
  if (d === "mssql") {
    return sql`MERGE periods WITH (HOLDLOCK) AS t USING (SELECT ${text(r.period)} AS period) AS s ON t.period = s.period WHEN MATCHED THEN UPDATE SET status = ${"closed"}, closed_at = ${text(r.closedAt)}, closed_by = ${text(r.closedBy)} WHEN NOT MATCHED THEN INSERT (period, status, closed_at, closed_by) VALUES (s.period, ${"closed"}, ${text(r.closedAt)}, ${text(r.closedBy)});`;
  }
  return sql`INSERT INTO periods (period, status, closed_at, closed_by) VALUES (${text(r.period)}, ${"closed"}, ${text(r.closedAt)}, ${text(r.closedBy)}) ON CONFLICT (period) DO UPDATE SET status = ${"closed"}, closed_at = ${text(r.closedAt)}, closed_by = ${text(r.closedBy)}`;
}

/**
 * The balance write, guarded: it applies only if the row is still at the
 * version the plan was made from and the result stays within its bounds
 * (also enforced by CHECK constraints). Zero rows affected means someone else
 * got there first; the change set is then refused as a conflict.
 */
export function updateDocumentBalance(
  _d: Dialect,
  r: { id: string; baseVersion: number; deltaMinor: bigint; activityDate: string; disputed: boolean | null; changeSeq: bigint },
): Sql {
  const disputed = r.disputed === null ? raw("disputed") : sql`${bool(r.disputed)}`;
  return sql`UPDATE documents SET open_minor = open_minor + ${minor(r.deltaMinor)}, activity_date = ${date(r.activityDate)}, disputed = ${disputed}, version = version + 1, change_seq = ${seq(r.changeSeq)} WHERE id = ${text(r.id)} AND version = ${int(r.baseVersion)} AND open_minor + ${minor(r.deltaMinor)} >= 0 AND open_minor + ${minor(r.deltaMinor)} <= amount_minor`;
}

export function updateReceiptBalance(
  _d: Dialect,
  r: { id: string; baseVersion: number; deltaMinor: bigint; activityDate: string; reversed: boolean | null; changeSeq: bigint },
): Sql {
  const reversed = r.reversed === null ? raw("reversed") : sql`${bool(r.reversed)}`;
  return sql`UPDATE receipts SET unapplied_minor = unapplied_minor + ${minor(r.deltaMinor)}, activity_date = ${date(r.activityDate)}, reversed = ${reversed}, version = version + 1, change_seq = ${seq(r.changeSeq)} WHERE id = ${text(r.id)} AND version = ${int(r.baseVersion)} AND unapplied_minor + ${minor(r.deltaMinor)} >= 0 AND unapplied_minor + ${minor(r.deltaMinor)} <= amount_minor`;
}

export function insertJournals(
  _d: Dialect,
  rows: readonly { id: string; date: string; source: string; eventKind: string; eventId: string; changeSetId: string | null; memo: string; createdAt: string }[],
): Sql {
  return sql`INSERT INTO gl_journals (id, journal_date, source, event_kind, event_id, changeset_id, memo, created_at) VALUES ${values(
    rows.map((r) => [text(r.id), date(r.date), text(r.source), text(r.eventKind), text(r.eventId), text(r.changeSetId), text(r.memo), text(r.createdAt)]),
  )}`;
}

export function insertJournalLines(
  _d: Dialect,
  rows: readonly { journalId: string; lineNo: number; account: string; currency: string; debitMinor: bigint; creditMinor: bigint }[],
): Sql {
  return sql`INSERT INTO gl_lines (journal_id, line_no, account, currency, debit_minor, credit_minor) VALUES ${values(
    rows.map((r) => [text(r.journalId), int(r.lineNo), text(r.account), text(r.currency), minor(r.debitMinor), minor(r.creditMinor)]),
  )}`;
}

export function insertAudit(
  _d: Dialect,
  rows: readonly { at: string; user: string; action: string; entity: string; entityId: string; changeSetId: string | null; detail: string }[],
): Sql {
  return sql`INSERT INTO audit_log (at, user_name, action, entity, entity_id, changeset_id, detail) VALUES ${values(
    rows.map((r) => [text(r.at), text(r.user), text(r.action), text(r.entity), text(r.entityId), text(r.changeSetId), text(r.detail)]),
  )}`;
}

/**
 * Reserves `count` change-feed numbers and returns the last. The counter
 * row's lock is held to commit, so feed numbers become visible in order.
 */
export function reserveChangeSeq(d: Dialect, count: number): Sql {
  if (d === "mssql") {
    return sql`UPDATE counters SET value = value + ${seq(BigInt(count))} OUTPUT inserted.value AS value_seq WHERE name = ${"change_seq"}`;
  }
  return sql`UPDATE counters SET value = value + ${seq(BigInt(count))} WHERE name = ${"change_seq"} RETURNING value AS value_seq`;
}

export function selectChangeCursor(_d: Dialect): Sql {
  return sql`SELECT value AS value_seq FROM counters WHERE name = ${"change_seq"}`;
}

export function insertChanges(
  _d: Dialect,
  rows: readonly { seq: bigint; entity: string; entityId: string; changeSetId: string | null; at: string }[],
): Sql {
  return sql`INSERT INTO change_log (seq, entity, entity_id, changeset_id, at) VALUES ${values(
    rows.map((r) => [seq(r.seq), text(r.entity), text(r.entityId), text(r.changeSetId), text(r.at)]),
  )}`;
}

// -- tokens --------------------------------------------------------------------

export function insertToken(_d: Dialect, r: { id: string; hash: string; user: string; role: string; createdAt: string }): Sql {
  return sql`INSERT INTO tokens (id, token_hash, user_name, role, created_at, revoked_at) VALUES (${text(r.id)}, ${text(r.hash)}, ${text(r.user)}, ${text(r.role)}, ${text(r.createdAt)}, ${text(null)})`;
}

export function selectTokenByHash(_d: Dialect, hash: string): Sql {
  return sql`SELECT id, token_hash, user_name, role, created_at, revoked_at FROM tokens WHERE token_hash = ${text(hash)}`;
}

export function revokeToken(_d: Dialect, r: { id: string; revokedAt: string }): Sql {
  return sql`UPDATE tokens SET revoked_at = ${text(r.revokedAt)} WHERE id = ${text(r.id)} AND revoked_at IS NULL`;
}

// -- invariants ----------------------------------------------------------------

export function selectGlImbalance(_d: Dialect): Sql {
  return sql`SELECT j.id AS journal_id, SUM(l.debit_minor) AS debit_minor, SUM(l.credit_minor) AS credit_minor FROM gl_journals j JOIN gl_lines l ON l.journal_id = j.id GROUP BY j.id HAVING SUM(l.debit_minor) <> SUM(l.credit_minor)`;
}

/**
 * Σ debit − credit on the account per currency over the subledger's own
 * journals: journals imported from outside (source 'external') legitimately
 * make the account differ from the open items, and the AR-to-GL
 * reconciliation lists them; the invariant is about what the subledger posted.
 */
export function selectAccountBalances(_d: Dialect, account: string): Sql {
  return sql`SELECT l.currency, SUM(l.debit_minor) - SUM(l.credit_minor) AS balance_minor FROM gl_lines l JOIN gl_journals j ON j.id = l.journal_id WHERE l.account = ${text(account)} AND j.source = ${text("subledger")} GROUP BY l.currency`;
}

export function selectOpenDocumentTotals(_d: Dialect): Sql {
  return sql`SELECT currency, SUM(CASE WHEN doc_type = ${"creditMemo"} THEN -open_minor ELSE open_minor END) AS total_minor FROM documents GROUP BY currency`;
}

export function selectUnappliedTotals(_d: Dialect): Sql {
  return sql`SELECT currency, SUM(unapplied_minor) AS total_minor FROM receipts GROUP BY currency`;
}

/** Documents whose stored open amount differs from amount − Σ applications − Σ write-offs. */
export function selectDocumentBalanceDrift(_d: Dialect): Sql {
  return sql`SELECT d.id AS document_id, d.open_minor, d.amount_minor - COALESCE(a.settled_minor, 0) - COALESCE(w.written_minor, 0) - COALESCE(c.credited_minor, 0) AS expected_minor
FROM documents d
LEFT JOIN (SELECT document_id, SUM(amount_minor + discount_minor + writeoff_minor) AS settled_minor FROM applications GROUP BY document_id) a ON a.document_id = d.id
LEFT JOIN (SELECT document_id, SUM(amount_minor) AS written_minor FROM write_offs GROUP BY document_id) w ON w.document_id = d.id
LEFT JOIN (SELECT source_id, SUM(amount_minor) AS credited_minor FROM applications WHERE source_kind = ${"creditMemo"} GROUP BY source_id) c ON c.source_id = d.id
WHERE d.open_minor <> d.amount_minor - COALESCE(a.settled_minor, 0) - COALESCE(w.written_minor, 0) - COALESCE(c.credited_minor, 0)`;
}

export function selectReceiptBalanceDrift(_d: Dialect): Sql {
  return sql`SELECT r.id AS receipt_id, r.unapplied_minor, CASE WHEN r.reversed = 1 THEN 0 ELSE r.amount_minor - COALESCE(a.applied_minor, 0) END AS expected_minor
FROM receipts r
LEFT JOIN (SELECT source_id, SUM(amount_minor) AS applied_minor FROM applications WHERE source_kind = ${"receipt"} GROUP BY source_id) a ON a.source_id = r.id
WHERE r.unapplied_minor <> CASE WHEN r.reversed = 1 THEN 0 ELSE r.amount_minor - COALESCE(a.applied_minor, 0) END`;
}
