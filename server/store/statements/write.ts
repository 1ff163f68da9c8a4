/**
 * Every SQL statement of the write path (change sets), as builders that take
 * the dialect. The SQL Server golden test compiles every export of this
 * folder, so no SQL text lives anywhere else.
 *
 * Multi-row inserts take arrays; the caller chunks them with `chunkRows` so a
 * statement stays under SQL Server's 2,100-parameter limit.
 */
import { bool, date, int, join, minor, raw, seq, Sql, sql, text, type Dialect, type SqlParam } from "../sql.js";

/** Rows per multi-row INSERT so that rows × columns stays under 2,000 parameters. */
export function chunkRows<T>(rows: readonly T[], columns: number): T[][] {
  const size = rowsPerStatement(columns);
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** Rows per multi-row statement of `columns` parameters each (chunkRows' chunk size). */
export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.min(500, Math.floor(2000 / columns)));
}

/** Chunks for IN (…) lists. */
export const ID_CHUNK = 1000;

const ids = (values: readonly string[]): Sql => join(values.map((v) => sql`${text(v)}`));

/**
 * `IN (…)` over a list of ids; on PostgreSQL `= ANY(…)` over one text[] parameter instead, so a
 * list of thousands is one parameter to parse and bind (the caller may then send larger chunks).
 */
function inList(d: Dialect, values: readonly string[]): Sql {
  if (d === "postgres") return sql` = ANY(CAST(${text(pgTextArray(values))} AS TEXT[]))`;
  return sql` IN (${ids(values)})`;
}

type Part = Sql["parts"][number];

/**
 * `header (p, p, …), (p, p, …)`: the same text and parameters as a `sql` template with one
 * fragment per row, built as one flat list of parts (a 10,000-operation push writes some
 * 120,000 rows, and its bare-insert baseline 20,000, through these).
 */
function insertRows<T>(header: string, rows: readonly T[], row: (r: T) => readonly SqlParam[]): Sql {
  const parts: Part[] = [];
  rows.forEach((r, index) => {
    row(r).forEach((param, i) => {
      parts.push(i > 0 ? COMMA : index > 0 ? NEXT_ROW : { text: `${header}(` }, { param });
    });
  });
  parts.push(rows.length > 0 ? CLOSE_ROW : { text: header });
  return new Sql(parts);
}
const COMMA: Part = { text: ", " };
const NEXT_ROW: Part = { text: "), (" };
const CLOSE_ROW: Part = { text: ")" };

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
  return sql`SELECT id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, version FROM customers${lockHint(d)} WHERE id${inList(d, idList)}${forUpdate(d)}`;
}

export function selectDocumentsById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, version FROM documents${lockHint(d)} WHERE id${inList(d, idList)}${forUpdate(d)}`;
}

export function selectReceiptsById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version FROM receipts${lockHint(d)} WHERE id${inList(d, idList)}${forUpdate(d)}`;
}

const APPLICATION_COLUMNS = raw(
  "a.id, a.source_kind, a.source_id, a.document_id, a.application_date, a.currency, a.amount_minor, a.discount_minor, a.writeoff_minor, a.reverses_id, " +
    "CASE WHEN EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) THEN 1 ELSE 0 END AS is_reversed",
);

export function selectApplicationsById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.id${inList(d, idList)}`;
}

/** Applications sourced from these receipts or credit memos that are not reversals and not yet reversed. */
export function selectActiveApplicationsBySource(d: Dialect, sourceIds: readonly string[]): Sql {
  return sql`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.source_id${inList(d, sourceIds)} AND a.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM applications r WHERE r.reverses_id = a.id) ORDER BY a.application_date, a.id`;
}

export function selectDisputesById(d: Dialect, idList: readonly string[]): Sql {
  return sql`SELECT id, document_id, status, version FROM disputes${lockHint(d)} WHERE id${inList(d, idList)}${forUpdate(d)}`;
}

export function selectOpenDisputesByDocument(d: Dialect, documentIds: readonly string[]): Sql {
  return sql`SELECT id, document_id, status, version FROM disputes WHERE status = ${"open"} AND document_id${inList(d, documentIds)}`;
}

/** Which of these ids exist already, in any table a change set creates rows in. */
export function selectTakenIds(d: Dialect, idList: readonly string[]): Sql {
  if (d === "postgres") {
    // One text[] parameter per branch instead of the list eight times over.
    const array = text(pgTextArray(idList));
    const n = (): Sql => sql` = ANY(CAST(${array} AS TEXT[]))`;
    return sql`SELECT id FROM customers WHERE id${n()}
UNION ALL SELECT id FROM documents WHERE id${n()}
UNION ALL SELECT id FROM receipts WHERE id${n()}
UNION ALL SELECT id FROM applications WHERE id${n()}
UNION ALL SELECT id FROM write_offs WHERE id${n()}
UNION ALL SELECT id FROM receipt_reversals WHERE id${n()}
UNION ALL SELECT id FROM notes WHERE id${n()}
UNION ALL SELECT id FROM disputes WHERE id${n()}`;
  }
  if (d === "mssql") {
    const list = ids(idList);
    // SQL Server takes at most 2,100 parameters: bind the ids once (ID_CHUNK of them) and let the
    // optimizer push the IN list into each branch, instead of repeating it eight times.
    return sql`SELECT t.id FROM (SELECT id FROM customers UNION ALL SELECT id FROM documents UNION ALL SELECT id FROM receipts UNION ALL SELECT id FROM applications UNION ALL SELECT id FROM write_offs UNION ALL SELECT id FROM receipt_reversals UNION ALL SELECT id FROM notes UNION ALL SELECT id FROM disputes) t WHERE t.id IN (${list})`;
  }
  // SQLite: the ids once, as a table each branch probes by primary key (eight IN lists would each
  // be sorted into a temporary index first).
  return sql`WITH n (id) AS (VALUES ${join(idList.map((v) => sql`(${text(v)})`))})
SELECT t.id FROM n JOIN customers t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN documents t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN receipts t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN applications t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN write_offs t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN receipt_reversals t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN notes t ON t.id = n.id
UNION ALL SELECT t.id FROM n JOIN disputes t ON t.id = n.id`;
}

/** A PostgreSQL text[] literal: every element double-quoted, `\` and `"` escaped, so any text survives. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

export function selectTakenCustomerNumbers(d: Dialect, numbers: readonly string[]): Sql {
  return sql`SELECT number FROM customers WHERE number${inList(d, numbers)}`;
}

export function selectTakenDocumentNumbers(d: Dialect, numbers: readonly string[]): Sql {
  return sql`SELECT doc_type, number FROM documents WHERE number${inList(d, numbers)}`;
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
  return insertRows("INSERT INTO customers (id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, contacts, version, change_seq) VALUES ", rows, (r) => [text(r.id), text(r.number), text(r.name), text(r.currency), text(r.termsCode), minor(r.creditLimitMinor), text(r.collector), bool(r.onHold), text(r.contacts), int(1), seq(r.changeSeq)]);
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
  /**
   * A document this change set creates and also settles or disputes is inserted at its final
   * state (what the guarded balance UPDATE would otherwise make of it): open amount, activity
   * date, dispute flag and version. Omitted: open = amount, activity = document date, not disputed, version 1.
   */
  final?: { openMinor: bigint; activityDate: string; disputed: boolean; version: number };
}

export function insertDocuments(_d: Dialect, rows: readonly DocumentValues[]): Sql {
  return insertRows("INSERT INTO documents (id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, memo, version, change_seq, changeset_id) VALUES ", rows, (r) => [text(r.id), text(r.customerId), text(r.type), text(r.number), date(r.documentDate), date(r.dueDate), date(r.final?.activityDate ?? r.documentDate), text(r.currency), text(r.termsCode), minor(r.amountMinor), minor(r.final?.openMinor ?? r.amountMinor), bool(r.final?.disputed ?? false), text(r.memo), int(r.final?.version ?? 1), seq(r.changeSeq), text(r.changeSetId)]);
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
  /** As for documents: a receipt created and applied in the same change set goes in at its final unapplied amount. */
  final?: { unappliedMinor: bigint; activityDate: string; reversed: boolean; version: number };
}

export function insertReceipts(_d: Dialect, rows: readonly ReceiptValues[]): Sql {
  return insertRows("INSERT INTO receipts (id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version, change_seq, changeset_id) VALUES ", rows, (r) => [text(r.id), text(r.customerId), date(r.date), date(r.final?.activityDate ?? r.date), text(r.currency), minor(r.amountMinor), minor(r.final?.unappliedMinor ?? r.amountMinor), text(r.method), text(r.reference), bool(r.final?.reversed ?? false), int(r.final?.version ?? 1), seq(r.changeSeq), text(r.changeSetId)]);
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
  return insertRows("INSERT INTO applications (id, source_kind, source_id, document_id, application_date, currency, amount_minor, discount_minor, writeoff_minor, writeoff_reason, reverses_id, changeset_id, created_at) VALUES ", rows, (r) => [text(r.id), text(r.sourceKind), text(r.sourceId), text(r.documentId), date(r.date), text(r.currency), minor(r.amountMinor), minor(r.discountMinor), minor(r.writeOffMinor), text(r.writeOffReason), text(r.reversesId), text(r.changeSetId), text(r.createdAt)]);
}

export function insertWriteOffs(
  _d: Dialect,
  rows: readonly { id: string; documentId: string; date: string; currency: string; amountMinor: bigint; reason: string; changeSetId: string; createdAt: string }[],
): Sql {
  return insertRows("INSERT INTO write_offs (id, document_id, writeoff_date, currency, amount_minor, reason, reverses_id, changeset_id, created_at) VALUES ", rows, (r) => [text(r.id), text(r.documentId), date(r.date), text(r.currency), minor(r.amountMinor), text(r.reason), text(null), text(r.changeSetId), text(r.createdAt)]);
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
  return insertRows("INSERT INTO notes (id, customer_id, document_id, kind, body, promise_currency, promise_amount_minor, promise_date, follow_up_date, author, created_at, change_seq, changeset_id) VALUES ", rows, (r) => [text(r.id), text(r.customerId), text(r.documentId), text(r.kind), text(r.body), text(r.promiseCurrency), minor(r.promiseAmountMinor), date(r.promiseDate), date(r.followUpDate), text(r.author), text(r.createdAt), seq(r.changeSeq), text(r.changeSetId)]);
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

/** One guarded balance change of a document or receipt: see updateDocumentBalances. */
export interface BalanceValues {
  id: string;
  baseVersion: number;
  deltaMinor: bigint;
  activityDate: string;
  /** The new dispute flag (documents) or reversed flag (receipts); null keeps it. */
  flag: boolean | null;
  changeSeq: bigint;
}

/** Parameters per row of a balance update, for chunkRows (SQL Server takes at most 2,100 per statement). */
export const BALANCE_COLUMNS = 6;

/**
 * The balance writes, guarded, many rows per statement: each row changes only
 * if it is still at the version the plan was made from and the result stays
 * within its bounds (also enforced by CHECK constraints). The statement
 * returns the ids it changed; one missing means someone else got there first,
 * and the change set is then refused as a conflict.
 */
export function updateDocumentBalances(d: Dialect, rows: readonly BalanceValues[]): Sql {
  return updateBalances(d, rows, { table: "documents", balance: "open_minor", flag: "disputed" });
}

export function updateReceiptBalances(d: Dialect, rows: readonly BalanceValues[]): Sql {
  return updateBalances(d, rows, { table: "receipts", balance: "unapplied_minor", flag: "reversed" });
}

function updateBalances(
  d: Dialect,
  rows: readonly BalanceValues[],
  target: { table: "documents" | "receipts"; balance: "open_minor" | "unapplied_minor"; flag: "disputed" | "reversed" },
): Sql {
  const t = target.table;
  const bal = target.balance;
  const flagOf = (r: BalanceValues) => int(r.flag === null ? null : r.flag ? 1 : 0);
  const set = `${bal} = ${t}.${bal} + v.delta_minor, activity_date = v.activity_date, ${target.flag} = COALESCE(v.flag, ${t}.${target.flag}), version = ${t}.version + 1, change_seq = v.change_seq`;
  const guard = `${t}.version = v.base_version AND ${t}.${bal} + v.delta_minor >= 0 AND ${t}.${bal} + v.delta_minor <= ${t}.amount_minor`;
  if (d === "mssql") {
    // A derived table of SELECT … UNION ALL SELECT rows (parameters are typed: Int, BIGINT text cast).
    const parts: Part[] = [{ text: `UPDATE ${t} SET ${set} OUTPUT inserted.id FROM ${t} JOIN (` }];
    rows.forEach((r, i) => {
      const names = i === 0;
      parts.push(
        { text: i === 0 ? "SELECT " : " UNION ALL SELECT " },
        { param: text(r.id) },
        { text: names ? " AS id, " : ", " },
        { param: int(r.baseVersion) },
        { text: names ? " AS base_version, " : ", " },
        { param: minor(r.deltaMinor) },
        { text: names ? " AS delta_minor, " : ", " },
        { param: date(r.activityDate) },
        { text: names ? " AS activity_date, " : ", " },
        { param: flagOf(r) },
        { text: names ? " AS flag, " : ", " },
        { param: seq(r.changeSeq) },
        { text: names ? " AS change_seq" : "" },
      );
    });
    parts.push({ text: `) AS v ON v.id = ${t}.id WHERE ${guard}` });
    return new Sql(parts);
  }
  // PostgreSQL types a VALUES list's columns from its rows: the integer columns are cast in each.
  const asInt = d === "postgres";
  const parts: Part[] = [{ text: `WITH v (id, base_version, delta_minor, activity_date, flag, change_seq) AS (VALUES ` }];
  rows.forEach((r, i) => {
    parts.push(
      { text: i === 0 ? "(" : "), (" },
      { param: text(r.id) },
      { text: asInt ? ", CAST(" : ", " },
      { param: int(r.baseVersion) },
      { text: asInt ? " AS INTEGER), " : ", " },
      { param: minor(r.deltaMinor) },
      { text: ", " },
      { param: date(r.activityDate) },
      { text: asInt ? ", CAST(" : ", " },
      { param: flagOf(r) },
      { text: asInt ? " AS INTEGER), " : ", " },
      { param: seq(r.changeSeq) },
    );
  });
  parts.push({ text: `)) UPDATE ${t} SET ${set} FROM v WHERE v.id = ${t}.id AND ${guard} RETURNING ${t}.id` });
  return new Sql(parts);
}

export function insertJournals(
  _d: Dialect,
  rows: readonly { id: string; date: string; source: string; eventKind: string; eventId: string; changeSetId: string | null; memo: string; createdAt: string }[],
): Sql {
  return insertRows("INSERT INTO gl_journals (id, journal_date, source, event_kind, event_id, changeset_id, memo, created_at) VALUES ", rows, (r) => [text(r.id), date(r.date), text(r.source), text(r.eventKind), text(r.eventId), text(r.changeSetId), text(r.memo), text(r.createdAt)]);
}

export function insertJournalLines(
  _d: Dialect,
  rows: readonly { journalId: string; lineNo: number; account: string; currency: string; debitMinor: bigint; creditMinor: bigint }[],
): Sql {
  return insertRows("INSERT INTO gl_lines (journal_id, line_no, account, currency, debit_minor, credit_minor) VALUES ", rows, (r) => [text(r.journalId), int(r.lineNo), text(r.account), text(r.currency), minor(r.debitMinor), minor(r.creditMinor)]);
}

export function insertAudit(
  _d: Dialect,
  rows: readonly { at: string; user: string; action: string; entity: string; entityId: string; changeSetId: string | null; detail: string }[],
): Sql {
  return insertRows("INSERT INTO audit_log (at, user_name, action, entity, entity_id, changeset_id, detail) VALUES ", rows, (r) => [text(r.at), text(r.user), text(r.action), text(r.entity), text(r.entityId), text(r.changeSetId), text(r.detail)]);
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
  return insertRows("INSERT INTO change_log (seq, entity, entity_id, changeset_id, at) VALUES ", rows, (r) => [seq(r.seq), text(r.entity), text(r.entityId), text(r.changeSetId), text(r.at)]);
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
