/**
 * Every SQL statement of the read path (customers, open items, aging,
 * statements, change feed), as builders `(dialect, args) => Sql`. The SQL
 * Server golden test compiles every export of this folder, so no SQL text
 * lives anywhere else; helpers that build fragments are not exported.
 *
 * As-of open amounts (DESIGN.md "Aging conventions"), computed in SQL:
 *
 * - documents dated after D and receipts dated after D do not exist yet;
 * - document open(D) = amount − Σ applications to it (amount + discount +
 *   write-off) dated ≤ D − Σ applications sourced from it (credit memos)
 *   dated ≤ D − Σ stand-alone write-offs of it dated ≤ D; credit memos are
 *   negated. One expression serves all three document types, because an
 *   invoice is never a source and a credit memo never a target;
 * - receipt open(D) = −(amount − Σ applications sourced from it dated ≤ D),
 *   or 0 once a receipt reversal dated ≤ D exists;
 * - fast path: `activity_date` is the latest date of anything that changed the
 *   stored balance, so when it is ≤ D the stored `open_minor` /
 *   `unapplied_minor` IS the as-of value and the correlated sums are skipped
 *   (CASE evaluates lazily on all three engines). Rows that are fully settled
 *   and were last touched on or before D are filtered out before any of it.
 *
 * Buckets are a CASE over the age date with boundary dates worked out here
 * (age ≤ maxDays ⇔ ageDate ≥ D − maxDays), so the database compares CHAR(10)
 * dates and never does date arithmetic of its own.
 *
 * Every amount column is named *_minor, so `normalizeRow` reads it as bigint.
 */
import { agingBuckets, type AgingBasis } from "../../../shared/aging.js";
import { addDays, type IsoDate } from "../../../shared/dates.js";
import { date, int, join, raw, seq, sql, text, type Dialect, type Sql } from "../sql.js";

// -- fragments -----------------------------------------------------------------

/** `ORDER BY …` then a row limit: LIMIT on SQLite/PostgreSQL, OFFSET/FETCH on SQL Server. */
function orderedLimit(dialect: Dialect, orderBy: Sql, limit: number): Sql {
  if (dialect === "mssql") return sql` ORDER BY ${orderBy} OFFSET 0 ROWS FETCH NEXT ${int(limit)} ROWS ONLY`;
  return sql` ORDER BY ${orderBy} LIMIT ${int(limit)}`;
}

/** `column IN (…)`; an empty list matches nothing (and stays valid SQL). */
function inList(column: Sql, values: readonly string[]): Sql {
  if (values.length === 0) return raw("1 = 0");
  return sql`${column} IN (${join(values.map((v) => sql`${text(v)}`))})`;
}

/** LIKE pattern for "contains `term`", with the wildcards of all three dialects escaped by backslash. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_[]/g, (c) => `\\${c}`)}%`;
}

export interface OpenItemFilters {
  readonly customerId?: string | undefined;
  readonly collector?: string | undefined;
  readonly currency?: string | undefined;
}

export interface AsOfArgs extends OpenItemFilters {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly edges: readonly number[];
}

function filterSql(alias: string, filters: OpenItemFilters): Sql {
  const a = raw(alias);
  const parts: Sql[] = [];
  if (filters.customerId !== undefined) parts.push(sql` AND ${a}.customer_id = ${text(filters.customerId)}`);
  if (filters.currency !== undefined) parts.push(sql` AND ${a}.currency = ${text(filters.currency)}`);
  if (filters.collector !== undefined) {
    parts.push(sql` AND ${a}.customer_id IN (SELECT cc.id FROM customers cc WHERE cc.collector = ${text(filters.collector)})`);
  }
  return join(parts, "");
}

/**
 * Documents as of D: one row per document dated ≤ D that may be open, with
 * the signed open amount (credit memos negative; zero rows are still in here
 * and filtered by the caller). `due_date` of a credit memo is its own date.
 * `forPage` adds the columns only a page of items shows (the terms code), so
 * the aging scan does not carry them.
 */
function documentsAsOf(args: AsOfArgs, afterId: string | null, forPage = false): Sql {
  const d = date(args.asOf);
  const pageColumns = forPage ? raw(", d.terms_code AS terms_code") : raw("");
  const after = afterId === null ? raw("") : sql` AND d.id > ${text(afterId)}`;
  return sql`SELECT d.id AS id, d.doc_type AS kind, d.customer_id AS customer_id, d.number AS number, d.document_date AS document_date, CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END AS due_date, d.currency AS currency, CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor, CASE WHEN d.activity_date <= ${d} THEN (CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END) WHEN d.doc_type = 'creditMemo' THEN -(d.amount_minor - COALESCE((SELECT SUM(s.amount_minor) FROM applications s WHERE s.source_kind = 'creditMemo' AND s.source_id = d.id AND s.application_date <= ${d}), 0) - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= ${d}), 0)) ELSE d.amount_minor - COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM applications a WHERE a.document_id = d.id AND a.application_date <= ${d}), 0) - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= ${d}), 0) END AS open_minor, d.disputed AS disputed, d.version AS version${pageColumns} FROM documents d WHERE d.document_date <= ${d} AND (d.open_minor <> 0 OR d.activity_date > ${d})${filterSql("d", args)}${after}`;
}

/** Receipts as of D as unapplied cash (negative); `number` is the receipt's reference; `forPage` as for documents (no terms). */
function receiptsAsOf(args: AsOfArgs, afterId: string | null, forPage = false): Sql {
  const d = date(args.asOf);
  const pageColumns = forPage ? raw(", NULL AS terms_code") : raw("");
  const after = afterId === null ? raw("") : sql` AND r.id > ${text(afterId)}`;
  return sql`SELECT r.id AS id, 'unappliedCash' AS kind, r.customer_id AS customer_id, r.reference AS number, r.receipt_date AS document_date, r.receipt_date AS due_date, r.currency AS currency, -r.amount_minor AS amount_minor, -(CASE WHEN r.activity_date <= ${d} THEN (CASE WHEN r.reversed = 1 THEN 0 ELSE r.unapplied_minor END) WHEN EXISTS (SELECT 1 FROM receipt_reversals rr WHERE rr.receipt_id = r.id AND rr.reversal_date <= ${d}) THEN 0 ELSE r.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.source_kind = 'receipt' AND a.source_id = r.id AND a.application_date <= ${d}), 0) END) AS open_minor, 0 AS disputed, r.version AS version${pageColumns} FROM receipts r WHERE r.receipt_date <= ${d} AND ((r.unapplied_minor <> 0 AND r.reversed = 0) OR r.activity_date > ${d})${filterSql("r", args)}${after}`;
}

/**
 * What aging sums as of D, one row per item that may be open: customer,
 * currency, age dates, signed open amount, disputed flag — nothing else.
 * The same rows and amounts as documentsAsOf ∪ receiptsAsOf, split by the
 * fast-path condition into disjoint branches: items last touched on or before
 * D take their stored balance (plain columns), only items touched after D go
 * through the history sums (fenced by evaluateOnce; on PostgreSQL cast back
 * to bigint, as SUM(bigint) is numeric there and would make the whole union
 * column numeric). One branch mixing both made
 * PostgreSQL cost every row as if it ran the correlated sums and choose a
 * sort-based GROUP BY that spilled to disk (measured by bench/: 1.6× faster
 * split, same rows; no change on SQLite).
 *
 * The history branches find their rows through the activity_date indexes
 * (migration 003): as of today nothing was touched later, so they cost an
 * index probe instead of a second scan of both tables. The stored-balance
 * branches read nearly every row, where a scan beats the index: SQLite is
 * kept off it with a unary `+` (its documented way to disqualify a term from
 * index use), PostgreSQL by comparing in the "C" collation, which the index
 * (default collation) cannot serve — and which also compares the ASCII
 * YYYY-MM-DD text bytewise instead of through the locale (see inByteOrder).
 */
function agingItemsAsOf(dialect: Dialect, args: AsOfArgs): Sql {
  return sql`${agingItemsNow(dialect, args)} UNION ALL ${agingItemsThen(dialect, args)}`;
}

/** The stored-balance branches of agingItemsAsOf: items last touched on or before D. */
function agingItemsNow(dialect: Dialect, args: AsOfArgs): Sql {
  const documentsNow = sql`SELECT d.customer_id AS customer_id, d.currency AS currency, d.document_date AS document_date, ${DOCUMENT_DUE} AS due_date, ${DOCUMENT_SIGNED_OPEN} AS open_minor, d.disputed AS disputed FROM documents d WHERE ${documentsNowWhere(dialect, args)}`;
  const receiptsNow = sql`SELECT r.customer_id AS customer_id, r.currency AS currency, r.receipt_date AS document_date, r.receipt_date AS due_date, -r.unapplied_minor AS open_minor, 0 AS disputed FROM receipts r WHERE ${receiptsNowWhere(dialect, args)}`;
  return sql`${documentsNow} UNION ALL ${receiptsNow}`;
}

const DOCUMENT_DUE = raw("CASE WHEN d.doc_type = 'creditMemo' THEN d.document_date ELSE d.due_date END");
const DOCUMENT_SIGNED_OPEN = raw("CASE WHEN d.doc_type = 'creditMemo' THEN -d.open_minor ELSE d.open_minor END");

/** A date column the stored-balance branches compare on every row, kept off its index (see agingItemsAsOf). */
function scannedDate(dialect: Dialect, column: string): Sql {
  return dialect === "sqlite" ? raw(`+${column}`) : inByteOrder(dialect, raw(column));
}

function documentsNowWhere(dialect: Dialect, args: AsOfArgs): Sql {
  const d = date(args.asOf);
  return sql`${inByteOrder(dialect, raw("d.document_date"))} <= ${d} AND ${scannedDate(dialect, "d.activity_date")} <= ${d} AND d.open_minor <> 0${filterSql("d", args)}`;
}

function receiptsNowWhere(dialect: Dialect, args: AsOfArgs): Sql {
  const d = date(args.asOf);
  return sql`${inByteOrder(dialect, raw("r.receipt_date"))} <= ${d} AND ${scannedDate(dialect, "r.activity_date")} <= ${d} AND r.unapplied_minor <> 0 AND r.reversed = 0${filterSql("r", args)}`;
}

/** The history branches of agingItemsAsOf: items touched after D, their balance as of D rebuilt from history. */
function agingItemsThen(dialect: Dialect, args: AsOfArgs): Sql {
  const d = date(args.asOf);
  const integer = (amount: Sql) => (dialect === "postgres" ? sql`CAST(${amount} AS BIGINT)` : amount);
  const documentsThen = sql`SELECT d.customer_id AS customer_id, d.currency AS currency, d.document_date AS document_date, ${DOCUMENT_DUE} AS due_date, ${integer(sql`CASE WHEN d.doc_type = 'creditMemo' THEN -(d.amount_minor - COALESCE((SELECT SUM(s.amount_minor) FROM applications s WHERE s.source_kind = 'creditMemo' AND s.source_id = d.id AND s.application_date <= ${d}), 0) - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= ${d}), 0)) ELSE d.amount_minor - COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM applications a WHERE a.document_id = d.id AND a.application_date <= ${d}), 0) - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.document_id = d.id AND w.writeoff_date <= ${d}), 0) END`)} AS open_minor, d.disputed AS disputed FROM documents d WHERE d.document_date <= ${d} AND d.activity_date > ${d}${filterSql("d", args)}`;
  const receiptsThen = sql`SELECT r.customer_id AS customer_id, r.currency AS currency, r.receipt_date AS document_date, r.receipt_date AS due_date, ${integer(sql`-(CASE WHEN EXISTS (SELECT 1 FROM receipt_reversals rr WHERE rr.receipt_id = r.id AND rr.reversal_date <= ${d}) THEN 0 ELSE r.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.source_kind = 'receipt' AND a.source_id = r.id AND a.application_date <= ${d}), 0) END)`)} AS open_minor, 0 AS disputed FROM receipts r WHERE r.receipt_date <= ${d} AND r.activity_date > ${d}${filterSql("r", args)}`;
  return sql`SELECT h.* FROM (${documentsThen} UNION ALL ${receiptsThen}${evaluateOnce(dialect)}) h`;
}

/**
 * Text compared and sorted by its bytes (UTF-8: code point order), as SQLite
 * does by default (BINARY): PostgreSQL in the "C" collation; SQL Server's
 * column collation is left as it is. For CHAR(10) dates this skips the
 * locale: PostgreSQL compares text in the database's collation (C.UTF-8 and
 * the like call strcoll per comparison), aging makes several comparisons per
 * open item, and YYYY-MM-DD is ASCII, so the byte order is the date order.
 */
function inByteOrder(dialect: Dialect, column: Sql): Sql {
  return dialect === "postgres" ? sql`${column} COLLATE "C"` : column;
}

/** The bucket key of an age date: due basis `current` if ageDate ≥ D, `1-30` if ≥ D−30, …; document basis from `0-30`. */
function bucketCase(dialect: Dialect, ageDate: Sql, args: AsOfArgs): Sql {
  const buckets = agingBuckets(args.edges, args.basis);
  const age = inByteOrder(dialect, ageDate);
  const whens: Sql[] = [];
  let last = "";
  for (const bucket of buckets) {
    last = bucket.key;
    if (bucket.maxDays !== null) {
      whens.push(sql`WHEN ${age} >= ${date(addDays(args.asOf, -bucket.maxDays))} THEN ${text(bucket.key)}`);
    }
  }
  return sql`CASE ${join(whens, " ")} ELSE ${text(last)} END`;
}

/**
 * Keeps a derived table from being merged into the query around it, so the
 * as-of open amount is computed once per row, not once more for the
 * `open_minor <> 0` filter (PostgreSQL and SQLite substitute the expression,
 * correlated sums included). SQL Server computes it once on its own.
 */
function evaluateOnce(dialect: Dialect): Sql {
  if (dialect === "postgres") return raw(" OFFSET 0");
  if (dialect === "sqlite") return raw(" LIMIT -1 OFFSET 0");
  return raw("");
}

function ageColumn(alias: string, basis: AgingBasis): Sql {
  return raw(`${alias}.${basis === "due" ? "due_date" : "document_date"}`);
}

// -- change feed position ------------------------------------------------------

/** The change-feed position; read it BEFORE the data it accompanies, so catching up from it misses nothing. */
export function changeFeedPosition(_dialect: Dialect, _args: Readonly<Record<string, never>> = {}): Sql {
  return sql`SELECT value AS value_seq FROM counters WHERE name = ${text("change_seq")}`;
}

// -- customers -----------------------------------------------------------------

const CUSTOMER_COLUMNS = raw(
  "c.id, c.number, c.name, c.currency, c.terms_code, c.credit_limit_minor, c.collector, c.on_hold, c.contacts, c.version",
);

/** Customers by number, optionally matching `search` in number or name (case-insensitive, wildcards literal). */
export function customersPage(
  dialect: Dialect,
  args: { search?: string | undefined; collector?: string | undefined; after?: string | undefined; limit: number },
): Sql {
  const where: Sql[] = [raw("1 = 1")];
  if (args.search !== undefined && args.search !== "") {
    const pattern = text(containsPattern(args.search));
    where.push(
      sql`(LOWER(c.number) LIKE LOWER(${pattern}) ESCAPE '\\' OR LOWER(c.name) LIKE LOWER(${pattern}) ESCAPE '\\')`,
    );
  }
  if (args.collector !== undefined) where.push(sql`c.collector = ${text(args.collector)}`);
  if (args.after !== undefined) where.push(sql`c.number > ${text(args.after)}`);
  return sql`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE ${join(where, " AND ")}${orderedLimit(dialect, raw("c.number"), args.limit)}`;
}

export function customersByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE ${inList(raw("c.id"), args.ids)}`;
}

// -- open items ----------------------------------------------------------------

/**
 * A page of open items: no customer columns (number, name, collector), which
 * the read side looks up once per customer instead of joining them onto
 * every row (100,000 index probes and 300,000 strings per full pull).
 */
function openItemsPage(dialect: Dialect, branch: Sql, args: AsOfArgs, limit: number): Sql {
  return sql`SELECT x.id, x.kind, x.customer_id, x.number, x.document_date, x.due_date, x.currency, x.amount_minor, x.open_minor, x.disputed, x.version, x.terms_code, ${bucketCase(dialect, ageColumn("x", args.basis), args)} AS bucket FROM (${branch}) x WHERE x.open_minor <> 0${orderedLimit(dialect, raw("x.id"), limit)}`;
}

/**
 * Open invoices, debit memos and credit memos as of D, in id order after
 * `afterId` (keyset paging: the primary-key index serves both the order and
 * the seek, so page N costs what page 1 costs).
 */
export function openDocumentsPage(
  dialect: Dialect,
  args: AsOfArgs & { afterId: string | null; limit: number },
): Sql {
  return openItemsPage(dialect, documentsAsOf(args, args.afterId, true), args, args.limit);
}

/** Unapplied cash as of D, in id order after `afterId`. */
export function openReceiptsPage(
  dialect: Dialect,
  args: AsOfArgs & { afterId: string | null; limit: number },
): Sql {
  return openItemsPage(dialect, receiptsAsOf(args, args.afterId, true), args, args.limit);
}

/**
 * The documents a page of open items covers, for the per-page lookups
 * (disputes, notes, promises): every document id in (after, through] — the
 * page's keyset range — that passes the page's filters. A range, not a list
 * of ids: PostgreSQL checks a long IN list entry by entry for every row it
 * reads, which made the lookups cost more than the page itself. The range
 * may hold documents that are not open as of D; their rows are read and not
 * used.
 */
export interface DocumentRange extends OpenItemFilters {
  /** The id the page continued after; null from the first document. */
  readonly after: string | null;
  /** The last document id on the page. */
  readonly through: string;
}

function inDocumentRange(column: Sql, range: DocumentRange): Sql {
  const lower = range.after === null ? raw("") : sql`${column} > ${text(range.after)} AND `;
  const filters = filterSql("fd", range);
  const filtered = filters.parts.length === 0 ? raw("") : sql` AND EXISTS (SELECT 1 FROM documents fd WHERE fd.id = ${column}${filters})`;
  return sql`${lower}${column} <= ${text(range.through)}${filtered}`;
}

/** The open dispute of each document in the range (at most one per document: the planner refuses a second). */
export function openDisputesInRange(_dialect: Dialect, args: DocumentRange): Sql {
  return sql`SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.version FROM disputes p WHERE p.status = ${"open"} AND ${inDocumentRange(raw("p.document_id"), args)}`;
}

/** The latest note about each document in the range (`key_id` is the document id). */
export function latestDocumentNotes(_dialect: Dialect, args: DocumentRange): Sql {
  return sql`SELECT t.key_id, t.kind, t.body, t.created_at FROM (SELECT n.document_id AS key_id, n.kind, n.body, n.created_at, ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn FROM notes n WHERE ${inDocumentRange(raw("n.document_id"), args)}) t WHERE t.rn = 1`;
}

/** The latest note per customer that is not about a particular document (`key_id` is the customer id). */
export function latestCustomerNotes(_dialect: Dialect, args: { customerIds: readonly string[] }): Sql {
  return sql`SELECT t.key_id, t.kind, t.body, t.created_at FROM (SELECT n.customer_id AS key_id, n.kind, n.body, n.created_at, ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn FROM notes n WHERE n.document_id IS NULL AND ${inList(raw("n.customer_id"), args.customerIds)}) t WHERE t.rn = 1`;
}

const PROMISE_COLUMNS = raw(
  "n.promise_currency, n.promise_amount_minor, n.promise_date, SUBSTRING(n.created_at, 1, 10) AS made_on",
);
/** Promise notes the write side made whole; a row missing any part is not judged (and not shown). */
const IS_PROMISE = raw(
  "n.kind = 'promise' AND n.promise_currency IS NOT NULL AND n.promise_amount_minor IS NOT NULL AND n.promise_date IS NOT NULL",
);

/** Σ settled by the applications `from` selects (alias `a`, ending in its WHERE) in promise `p`'s window as of D. */
function settledSince(from: Sql, asOf: IsoDate): Sql {
  return sql`COALESCE((SELECT SUM(a.amount_minor + a.discount_minor + a.writeoff_minor) FROM ${from} AND a.currency = p.promise_currency AND a.application_date >= p.made_on AND a.application_date <= p.promise_date AND a.application_date <= ${date(asOf)}), 0) AS settled_minor`;
}

/**
 * The latest promise to pay per document in the range (`key_id` is the
 * document id), with what was settled toward it: `settled_minor` = Σ
 * applications (amount + discount + write-off; reversal rows count negative)
 * to that document in the promise's currency, dated from the day the promise
 * was recorded (`made_on`, the UTC date of `created_at`) through the promised
 * date, and not after D: as of D, later payments have not happened yet. The
 * sum sits above the `rn = 1` filter, so it runs once per document, for its
 * latest promise only. shared/promises.ts judges the result.
 */
export function latestDocumentPromises(_dialect: Dialect, args: DocumentRange & { asOf: IsoDate }): Sql {
  const settled = settledSince(raw("applications a WHERE a.document_id = p.key_id"), args.asOf);
  return sql`SELECT p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on, ${settled} FROM (SELECT n.document_id AS key_id, ${PROMISE_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY n.document_id ORDER BY n.created_at DESC, n.id DESC) AS rn FROM notes n WHERE ${IS_PROMISE} AND ${inDocumentRange(raw("n.document_id"), args)}) p WHERE p.rn = 1`;
}

/**
 * The latest general promise per customer (notes about no particular
 * document; `key_id` is the customer id), with what was settled toward it as
 * for a document's promise, but over applications to any of the customer's
 * documents.
 */
export function latestCustomerPromises(
  _dialect: Dialect,
  args: { asOf: IsoDate; customerIds: readonly string[] },
): Sql {
  const settled = settledSince(
    raw("applications a JOIN documents sd ON sd.id = a.document_id WHERE sd.customer_id = p.key_id"),
    args.asOf,
  );
  return sql`SELECT p.key_id, p.promise_currency, p.promise_amount_minor, p.promise_date, p.made_on, ${settled} FROM (SELECT n.customer_id AS key_id, ${PROMISE_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY n.customer_id ORDER BY n.created_at DESC, n.id DESC) AS rn FROM notes n WHERE ${IS_PROMISE} AND n.document_id IS NULL AND ${inList(raw("n.customer_id"), args.customerIds)}) p WHERE p.rn = 1`;
}

// -- aging ---------------------------------------------------------------------

/**
 * Aging as of D: Σ open per customer, currency, bucket and disputed flag,
 * with the customer's number and name. Never sums across currencies. The
 * bucket is computed one level below the GROUP BY so the grouping names a
 * column, not an expression with (differently numbered) parameters.
 */
export function agingGroups(dialect: Dialect, args: AsOfArgs): Sql {
  return sql`SELECT g.customer_id, c.number AS customer_number, c.name AS customer_name, g.currency, g.bucket, g.disputed, g.open_minor, g.item_count FROM (SELECT y.customer_id, y.currency, y.bucket, y.disputed, SUM(y.open_minor) AS open_minor, COUNT(*) AS item_count FROM (SELECT x.customer_id, x.currency, x.disputed, x.open_minor, ${bucketCase(dialect, ageColumn("x", args.basis), args)} AS bucket FROM (${agingItemsAsOf(dialect, args)}) x WHERE x.open_minor <> 0) y GROUP BY y.customer_id, y.currency, y.bucket, y.disputed) g JOIN customers c ON c.id = g.customer_id ORDER BY c.number, g.currency, g.bucket, g.disputed`;
}

/**
 * Aging as of D in two statements, for PostgreSQL (read in one snapshot,
 * server/store/read.ts). One statement holding the history branches cannot
 * run in parallel (their correlated sums are parallel-restricted), and
 * grouping by the bucket hashes four keys into some 50,000 groups at a million
 * items; measured on the large benchmark ledger that was 5× the bare GROUP BY.
 *
 * This first statement covers the items whose stored balance is their balance
 * as of D (last touched on or before D; the history branches are
 * agingHistoryGroups): per customer, currency and disputed flag, the signed
 * open total and, for each bucket boundary B (D − maxDays of every bucket but
 * the last), the open amount aged before B (`before_<i>_minor`, NULL when
 * nothing is). Boundaries fall with i, so bucket i holds before_<i−1> −
 * before_<i> (before_<−1> being the total) and the last bucket before_<n−2>:
 * the report works that out exactly in bigint. Three keys, one comparison per
 * boundary and row, and the scan and partial aggregates run in parallel.
 */
export function agingBoundaryTotals(dialect: Dialect, args: AsOfArgs): Sql {
  const boundaries = agingBuckets(args.edges, args.basis).flatMap((bucket) =>
    bucket.maxDays === null ? [] : [date(addDays(args.asOf, -bucket.maxDays))],
  );
  const sums = (age: Sql, amount: Sql) =>
    join(
      boundaries.map(
        (boundary, i) => sql`SUM(CASE WHEN ${inByteOrder(dialect, age)} < ${boundary} THEN ${amount} END) AS ${raw(`before_${i}_minor`)}`,
      ),
    );
  const documentAge = args.basis === "due" ? DOCUMENT_DUE : raw("d.document_date");
  const documents = sql`SELECT d.customer_id AS customer_id, d.currency AS currency, d.disputed AS disputed, SUM(${DOCUMENT_SIGNED_OPEN}) AS total_minor, ${sums(documentAge, DOCUMENT_SIGNED_OPEN)} FROM documents d WHERE ${documentsNowWhere(dialect, args)} GROUP BY d.customer_id, d.currency, d.disputed`;
  const receipts = sql`SELECT r.customer_id AS customer_id, r.currency AS currency, 0 AS disputed, SUM(-r.unapplied_minor) AS total_minor, ${sums(raw("r.receipt_date"), raw("-r.unapplied_minor"))} FROM receipts r WHERE ${receiptsNowWhere(dialect, args)} GROUP BY r.customer_id, r.currency`;
  const columns = raw(boundaries.map((_, i) => `, g.before_${i}_minor`).join(""));
  return sql`SELECT g.customer_id, c.number AS customer_number, c.name AS customer_name, g.currency, g.disputed, g.total_minor${columns} FROM (${documents} UNION ALL ${receipts}) g JOIN customers c ON c.id = g.customer_id ORDER BY ${inByteOrder(dialect, raw("c.number"))}, g.currency, g.disputed`;
}

/**
 * The rest of aging as of D next to agingBoundaryTotals: the items touched
 * after D, their balance as of D rebuilt from history (as of today none, found
 * through the activity_date indexes), grouped as agingGroups groups them.
 * Both statements order customers by number in byte order (code points), so
 * the report can merge them.
 */
export function agingHistoryGroups(dialect: Dialect, args: AsOfArgs): Sql {
  return sql`SELECT g.customer_id, c.number AS customer_number, c.name AS customer_name, g.currency, g.bucket, g.disputed, g.open_minor FROM (SELECT y.customer_id, y.currency, y.bucket, y.disputed, SUM(y.open_minor) AS open_minor FROM (SELECT x.customer_id, x.currency, x.disputed, x.open_minor, ${bucketCase(dialect, ageColumn("x", args.basis), args)} AS bucket FROM (${agingItemsThen(dialect, args)}) x WHERE x.open_minor <> 0) y GROUP BY y.customer_id, y.currency, y.bucket, y.disputed) g JOIN customers c ON c.id = g.customer_id ORDER BY ${inByteOrder(dialect, raw("c.number"))}, g.currency, g.disputed`;
}

/**
 * The subledger's open total as of D per currency, split into documents
 * (invoices and debit memos less credit memos) and unapplied cash (negative),
 * from the same as-of rows that open items and aging read. The AR-to-GL
 * reconciliation compares the documents part with the AR control account.
 */
export function openTotalsAsOf(_dialect: Dialect, args: { asOf: IsoDate }): Sql {
  const asOf: AsOfArgs = { asOf: args.asOf, basis: "due", edges: [] };
  return sql`SELECT x.currency, SUM(CASE WHEN x.kind = 'unappliedCash' THEN 0 ELSE x.open_minor END) AS documents_minor, SUM(CASE WHEN x.kind = 'unappliedCash' THEN x.open_minor ELSE 0 END) AS unapplied_minor FROM (${documentsAsOf(asOf, null)} UNION ALL ${receiptsAsOf(asOf, null)}) x GROUP BY x.currency`;
}

// -- customer statement --------------------------------------------------------

/**
 * Every event that changes what one customer owes in one currency, with its
 * effect (positive: owes more). Applications of cash or credit do not appear:
 * the receipt or credit memo already lowered the balance; only their discount
 * and write-off parts do. A write-off of a credit memo shrinks the credit, so
 * it raises the balance. Reversal rows carry negated amounts, so the same
 * sign rule turns them into increases.
 */
function statementEvents(args: { customerId: string; currency: string }): Sql {
  const customer = text(args.customerId);
  const currency = text(args.currency);
  return sql`SELECT d.document_date AS entry_date, 1 AS sort_rank, d.id AS id, d.doc_type AS kind, d.number AS reference, d.memo AS detail, CASE WHEN d.doc_type = 'creditMemo' THEN -d.amount_minor ELSE d.amount_minor END AS amount_minor FROM documents d WHERE d.customer_id = ${customer} AND d.currency = ${currency}
UNION ALL SELECT r.receipt_date AS entry_date, 2 AS sort_rank, r.id AS id, 'receipt' AS kind, r.reference AS reference, r.method AS detail, -r.amount_minor AS amount_minor FROM receipts r WHERE r.customer_id = ${customer} AND r.currency = ${currency}
UNION ALL SELECT rr.reversal_date AS entry_date, 3 AS sort_rank, rr.id AS id, 'receiptReversal' AS kind, r.reference AS reference, rr.reason AS detail, r.amount_minor AS amount_minor FROM receipt_reversals rr JOIN receipts r ON r.id = rr.receipt_id WHERE r.customer_id = ${customer} AND r.currency = ${currency}
UNION ALL SELECT a.application_date AS entry_date, 4 AS sort_rank, a.id AS id, 'discount' AS kind, d.number AS reference, NULL AS detail, -a.discount_minor AS amount_minor FROM applications a JOIN documents d ON d.id = a.document_id WHERE d.customer_id = ${customer} AND a.currency = ${currency} AND a.reverses_id IS NULL AND a.discount_minor <> 0
UNION ALL SELECT a.application_date AS entry_date, 5 AS sort_rank, a.id AS id, 'writeOff' AS kind, d.number AS reference, a.writeoff_reason AS detail, -a.writeoff_minor AS amount_minor FROM applications a JOIN documents d ON d.id = a.document_id WHERE d.customer_id = ${customer} AND a.currency = ${currency} AND a.reverses_id IS NULL AND a.writeoff_minor <> 0
UNION ALL SELECT a.application_date AS entry_date, 6 AS sort_rank, a.id AS id, 'applicationReversal' AS kind, d.number AS reference, NULL AS detail, -(a.discount_minor + a.writeoff_minor) AS amount_minor FROM applications a JOIN documents d ON d.id = a.document_id WHERE d.customer_id = ${customer} AND a.currency = ${currency} AND a.reverses_id IS NOT NULL AND a.discount_minor + a.writeoff_minor <> 0
UNION ALL SELECT w.writeoff_date AS entry_date, 5 AS sort_rank, w.id AS id, 'writeOff' AS kind, d.number AS reference, w.reason AS detail, CASE WHEN d.doc_type = 'creditMemo' THEN w.amount_minor ELSE -w.amount_minor END AS amount_minor FROM write_offs w JOIN documents d ON d.id = w.document_id WHERE d.customer_id = ${customer} AND w.currency = ${currency}`;
}

/** Σ effects dated before `before`: the statement's opening balance. */
export function statementOpeningBalance(
  _dialect: Dialect,
  args: { customerId: string; currency: string; before: IsoDate },
): Sql {
  return sql`SELECT COALESCE(SUM(e.amount_minor), 0) AS balance_minor FROM (${statementEvents(args)}) e WHERE e.entry_date < ${date(args.before)}`;
}

/** Effects dated within [from, to], in date order (documents, then receipts, reversals, discounts, write-offs). */
export function statementLines(
  _dialect: Dialect,
  args: { customerId: string; currency: string; from: IsoDate; to: IsoDate },
): Sql {
  return sql`SELECT e.entry_date, e.sort_rank, e.id, e.kind, e.reference, e.detail, e.amount_minor FROM (${statementEvents(args)}) e WHERE e.entry_date >= ${date(args.from)} AND e.entry_date <= ${date(args.to)} ORDER BY e.entry_date, e.sort_rank, e.reference, e.id`;
}

// -- change feed ---------------------------------------------------------------

/** Feed rows after `since`, in order; ask for one more than a page to learn whether there is more. */
export function changeLogAfter(dialect: Dialect, args: { since: bigint; limit: number }): Sql {
  return sql`SELECT seq AS change_seq, entity, entity_id, changeset_id FROM change_log WHERE seq > ${seq(args.since)}${orderedLimit(dialect, raw("seq"), args.limit)}`;
}

export function documentsByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT d.id, d.customer_id, d.doc_type, d.number, d.document_date, d.due_date, d.currency, d.terms_code, d.amount_minor, d.open_minor, d.disputed, d.memo, d.version FROM documents d WHERE ${inList(raw("d.id"), args.ids)}`;
}

export function receiptsByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT r.id, r.customer_id, r.receipt_date, r.currency, r.amount_minor, r.unapplied_minor, r.method, r.reference, r.reversed, r.version FROM receipts r WHERE ${inList(raw("r.id"), args.ids)}`;
}

export function notesByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT n.id, n.customer_id, n.document_id, n.kind, n.body, n.promise_currency, n.promise_amount_minor, n.promise_date, n.follow_up_date, n.author, n.created_at FROM notes n WHERE ${inList(raw("n.id"), args.ids)}`;
}

export function disputesByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT p.id, p.document_id, p.reason_code, p.currency, p.amount_minor, p.status, p.note, p.resolution, p.resolution_note, p.opened_at, p.opened_by, p.resolved_at, p.resolved_by, p.version FROM disputes p WHERE ${inList(raw("p.id"), args.ids)}`;
}

export function periodsByIds(_dialect: Dialect, args: { ids: readonly string[] }): Sql {
  return sql`SELECT p.period, p.status, p.closed_at, p.closed_by FROM periods p WHERE ${inList(raw("p.period"), args.ids)}`;
}
