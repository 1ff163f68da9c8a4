/**
 * The read side of the SQL ledger store: customers, open items as of a date
 * (paged and streamed), aging, customer statements and the change feed.
 *
 * Every function takes the executor first (a `Database`, or a transaction /
 * snapshot from one) and runs statements from ./statements/read.ts; SQL does
 * the sums and the bucketing, this module turns rows into DTOs (`Money`,
 * `IsoDate`). A function that issues several statements and is handed a
 * `Database` runs them in one read snapshot, so they agree with each other.
 *
 * Open-items order: documents first, then unapplied cash, each by id. That
 * order is what the primary-key indexes give for free, so a keyset page costs
 * the same at the millionth row as at the first (ordering by customer number
 * would make every page sort everything after the cursor). The add-in sorts
 * on the sheet.
 */
import { agingBuckets, parseAgingBasis, parseAgingEdges, type AgingBasis } from "../../shared/aging.js";
import { parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, toDayNumber, type IsoDate } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import type { DocumentType } from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import { promiseStatus } from "../../shared/promises.js";
import type {
  AgingQuery,
  AgingReport,
  AgingRow,
  ChangeEntity,
  ChangeEntry,
  ChangesPage,
  CustomerQuery,
  CustomerRow,
  CustomerStatement,
  OpenItem,
  OpenItemKind,
  OpenItemPromise,
  OpenItemsPage,
  OpenItemsQuery,
  StatementLine,
} from "./port.js";
import type { Database, Row, SqlExecutor } from "./sql.js";
import * as st from "./statements/read.js";

/** Largest page (and stream batch) a caller may ask for. */
export const MAX_PAGE_SIZE = 10_000;

/** Ids per IN (…) list: SQL Server takes at most 2,100 parameters per statement. */
const IN_LIST_CHUNK = 1000;

// -- plumbing ------------------------------------------------------------------

function inSnapshot<T>(db: SqlExecutor | Database, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return "readSnapshot" in db ? db.readSnapshot(work) : work(db);
}

function column(row: Row, key: string): unknown {
  if (!(key in row)) throw new Error(`read query returned no column ${key}`);
  return row[key];
}

function str(row: Row, key: string): string {
  const value = column(row, key);
  if (typeof value !== "string") throw new Error(`column ${key} should be text, got ${typeof value}`);
  return value;
}

function strOrNull(row: Row, key: string): string | null {
  return column(row, key) === null ? null : str(row, key);
}

function num(row: Row, key: string): number {
  const value = column(row, key);
  if (typeof value !== "number") throw new Error(`column ${key} should be a number, got ${typeof value}`);
  return value;
}

function big(row: Row, key: string): bigint {
  const value = column(row, key);
  if (typeof value !== "bigint") throw new Error(`column ${key} should be a whole number of minor units, got ${typeof value}`);
  return value;
}

/** Dates come from CHAR(10)/TEXT columns the write side filled from parsed IsoDates. */
function isoDate(row: Row, key: string): IsoDate {
  return str(row, key) as IsoDate;
}

function money(row: Row, key: string, currency: CurrencyCode): Money {
  return Money.fromMinor(big(row, key), currency);
}

function chunks<T>(values: readonly T[], size = IN_LIST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function pageSize(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new DomainError("invalid_argument", `${field} must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(value)}`, {
      field,
    });
  }
  return value;
}

// -- customers -----------------------------------------------------------------

function contactsOf(row: Row): CustomerRow["contacts"] {
  const parsed: unknown = JSON.parse(str(row, "contacts"));
  if (!Array.isArray(parsed)) throw new Error(`customer ${str(row, "id")} has contacts that are not a JSON array`);
  return parsed as CustomerRow["contacts"];
}

function customerFromRow(row: Row): CustomerRow {
  const currency = parseCurrency(str(row, "currency"));
  return {
    id: str(row, "id"),
    number: str(row, "number"),
    name: str(row, "name"),
    currency,
    terms: str(row, "terms_code"),
    creditLimit: column(row, "credit_limit_minor") === null ? null : money(row, "credit_limit_minor", currency),
    collector: strOrNull(row, "collector"),
    onHold: num(row, "on_hold") === 1,
    contacts: contactsOf(row),
    version: num(row, "version"),
  };
}

/** Customers in number order; `search` matches number or name anywhere, case-insensitive, `%` and `_` literal. */
export async function listCustomers(db: SqlExecutor, query: CustomerQuery): Promise<CustomerRow[]> {
  const limit = pageSize(query.limit, "limit");
  const rows = await db.all(
    st.customersPage(db.dialect, { search: query.search, collector: query.collector, after: query.after, limit }),
  );
  return rows.map(customerFromRow);
}

// -- open items ----------------------------------------------------------------

interface AsOf {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly edges: readonly number[];
  readonly customerId?: string | undefined;
  readonly collector?: string | undefined;
  readonly currency?: CurrencyCode | undefined;
}

function parseAsOf(query: Omit<OpenItemsQuery, "after" | "limit"> | AgingQuery): AsOf {
  return {
    asOf: parseIsoDate(query.asOf, "asOf"),
    basis: parseAgingBasis(query.basis),
    edges: parseAgingEdges(query.edges),
    customerId: query.customerId,
    collector: query.collector,
    currency: query.currency === undefined ? undefined : parseCurrency(query.currency),
  };
}

/** Where a page stopped: the phase (d = documents, r = receipts) and the last id served (null: phase start). */
interface PageCursor {
  readonly p: "d" | "r";
  readonly id: string | null;
}

function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function decodeCursor(value: string): PageCursor {
  const refuse = () =>
    new DomainError("invalid_argument", `after: "${value}" is not a page cursor returned by this API`, { field: "after" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (typeof parsed !== "object" || parsed === null) throw refuse();
  const { p, id } = parsed as { p?: unknown; id?: unknown };
  if ((p !== "d" && p !== "r") || (id !== null && typeof id !== "string")) throw refuse();
  return { p, id };
}

type Note = NonNullable<OpenItem["lastNote"]>;

async function openDisputes(tx: SqlExecutor, documentIds: readonly string[]): Promise<Map<string, NonNullable<OpenItem["dispute"]>>> {
  const byDocument = new Map<string, NonNullable<OpenItem["dispute"]>>();
  for (const ids of chunks(documentIds)) {
    for (const row of await tx.all(st.openDisputes(tx.dialect, { documentIds: ids }))) {
      const currency = parseCurrency(str(row, "currency"));
      byDocument.set(str(row, "document_id"), { id: str(row, "id"), reasonCode: str(row, "reason_code"), amount: money(row, "amount_minor", currency), version: num(row, "version") });
    }
  }
  return byDocument;
}

async function latestNotes(
  tx: SqlExecutor,
  documentIds: readonly string[],
  customerIds: readonly string[],
): Promise<{ byDocument: Map<string, Note>; byCustomer: Map<string, Note> }> {
  const byDocument = new Map<string, Note>();
  const byCustomer = new Map<string, Note>();
  const documentChunks = chunks(documentIds);
  const customerChunks = chunks(customerIds);
  // Pages up to IN_LIST_CHUNK items take exactly one statement.
  for (let i = 0; i < Math.max(documentChunks.length, customerChunks.length); i++) {
    const rows = await tx.all(
      st.latestNotes(tx.dialect, { documentIds: documentChunks[i] ?? [], customerIds: customerChunks[i] ?? [] }),
    );
    for (const row of rows) {
      const note = { kind: str(row, "kind"), body: str(row, "body"), at: str(row, "created_at") };
      (str(row, "scope") === "document" ? byDocument : byCustomer).set(str(row, "key_id"), note);
    }
  }
  return { byDocument, byCustomer };
}

/**
 * The latest promise per document and the latest general promise per
 * customer, judged as of `asOf` from what was settled toward each since it
 * was made. One statement per chunk of ids, like the notes.
 */
async function latestPromises(
  tx: SqlExecutor,
  asOf: IsoDate,
  documentIds: readonly string[],
  customerIds: readonly string[],
): Promise<{ byDocument: Map<string, OpenItemPromise>; byCustomer: Map<string, OpenItemPromise> }> {
  const byDocument = new Map<string, OpenItemPromise>();
  const byCustomer = new Map<string, OpenItemPromise>();
  const documentChunks = chunks(documentIds);
  const customerChunks = chunks(customerIds);
  for (let i = 0; i < Math.max(documentChunks.length, customerChunks.length); i++) {
    const rows = await tx.all(
      st.latestPromises(tx.dialect, { asOf, documentIds: documentChunks[i] ?? [], customerIds: customerChunks[i] ?? [] }),
    );
    for (const row of rows) {
      const currency = parseCurrency(str(row, "promise_currency"));
      const amount = money(row, "promise_amount_minor", currency);
      const date = isoDate(row, "promise_date");
      const madeOn = isoDate(row, "made_on");
      const settled = money(row, "settled_minor", currency);
      // A payment applied before the promise and reversed after it nets negative in the window: nothing was paid toward it.
      const paidSince = settled.isNegative() ? Money.zero(currency) : settled;
      const status = promiseStatus({ promisedAmount: amount, promisedDate: date, madeOn, paidSince, today: asOf });
      (str(row, "scope") === "document" ? byDocument : byCustomer).set(str(row, "key_id"), {
        amount,
        currency,
        date,
        madeOn,
        status,
      });
    }
  }
  return { byDocument, byCustomer };
}

function makeDayCounter(asOf: IsoDate): (date: IsoDate) => number {
  const asOfDay = toDayNumber(asOf);
  const cache = new Map<string, number>();
  return (date) => {
    let day = cache.get(date);
    if (day === undefined) {
      day = toDayNumber(date);
      cache.set(date, day);
    }
    return asOfDay - day;
  };
}

async function readPage(tx: SqlExecutor, query: AsOf, after: PageCursor | null, limit: number): Promise<OpenItemsPage> {
  const dialect = tx.dialect;
  // The feed position first: whatever commits after it is in /changes?since=cursor.
  const position = await tx.all(st.changeFeedPosition(dialect));
  const cursor = String(position[0] === undefined ? 0n : big(position[0], "value_seq"));

  const rows: Row[] = [];
  let next: PageCursor | null = null;
  // One more row than asked tells whether another page follows.
  if (after === null || after.p === "d") {
    const documents = await tx.all(
      st.openDocumentsPage(dialect, { ...query, afterId: after?.id ?? null, limit: limit + 1 }),
    );
    rows.push(...documents.slice(0, limit));
    if (documents.length > limit) next = { p: "d", id: str(rows[rows.length - 1] ?? {}, "id") };
  }
  if (next === null) {
    const room = limit - rows.length;
    const receipts = await tx.all(
      st.openReceiptsPage(dialect, { ...query, afterId: after?.p === "r" ? after.id : null, limit: room + 1 }),
    );
    const taken = receipts.slice(0, room);
    rows.push(...taken);
    if (receipts.length > room) {
      const last = taken[taken.length - 1];
      next = { p: "r", id: last === undefined ? null : str(last, "id") };
    }
  }

  const documentIds = rows.filter((row) => str(row, "kind") !== "unappliedCash").map((row) => str(row, "id"));
  const customerIds = [...new Set(rows.map((row) => str(row, "customer_id")))];
  const notes = rows.length === 0 ? null : await latestNotes(tx, documentIds, customerIds);
  const promises = rows.length === 0 ? null : await latestPromises(tx, query.asOf, documentIds, customerIds);
  const disputes = documentIds.length === 0 ? null : await openDisputes(tx, documentIds);
  const daysBefore = makeDayCounter(query.asOf);

  const items = rows.map((row): OpenItem => {
    const currency = parseCurrency(str(row, "currency"));
    const kind = str(row, "kind") as OpenItemKind;
    const id = str(row, "id");
    const customerId = str(row, "customer_id");
    const documentDate = isoDate(row, "document_date");
    const dueDate = isoDate(row, "due_date");
    const documentNote = kind === "unappliedCash" ? undefined : notes?.byDocument.get(id);
    const documentPromise = kind === "unappliedCash" ? undefined : promises?.byDocument.get(id);
    return {
      kind,
      id,
      customerId,
      customerNumber: str(row, "customer_number"),
      customerName: str(row, "customer_name"),
      collector: strOrNull(row, "collector"),
      number: str(row, "number"),
      documentDate,
      dueDate,
      currency,
      amount: money(row, "amount_minor", currency),
      open: money(row, "open_minor", currency),
      days: daysBefore(query.basis === "due" ? dueDate : documentDate),
      bucket: str(row, "bucket"),
      disputed: num(row, "disputed") === 1,
      version: num(row, "version"),
      lastNote: documentNote ?? notes?.byCustomer.get(customerId) ?? null,
      terms: strOrNull(row, "terms_code"),
      promise: documentPromise ?? promises?.byCustomer.get(customerId) ?? null,
      dispute: kind === "unappliedCash" ? null : (disputes?.get(id) ?? null),
    };
  });
  return { items, next: next === null ? null : encodeCursor(next), cursor };
}

/**
 * One page of what is open as of `asOf` (see DESIGN.md "Aging conventions"),
 * with bucket and days per item, the latest note (the document's, else the
 * customer's general one), the terms code, the latest promise to pay (same
 * fallback) judged kept, broken or pending as of `asOf`, an opaque `next`
 * cursor and the change-feed cursor taken before the read. Notes and
 * promises take one statement each per page, never one per row. Promises are
 * shown whenever they were recorded (like notes: `created_at` is a UTC
 * instant, and a clerk's "today" may already be tomorrow in UTC); only the
 * payments counted toward them stop at `asOf`.
 */
export async function openItemsPage(db: SqlExecutor | Database, query: OpenItemsQuery): Promise<OpenItemsPage> {
  const asOf = parseAsOf(query);
  const limit = pageSize(query.limit, "limit");
  const after = query.after === undefined ? null : decodeCursor(query.after);
  return await inSnapshot(db, (tx) => readPage(tx, asOf, after, limit));
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody is waiting for yet is picked up by the next await, not reported as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Every open item in batches of `batchSize`, all read from one snapshot by
 * keyset pages. The snapshot's work runs ahead of the consumer by at most one
 * batch (it waits for each `next()`), so memory stays flat however many items
 * there are. Breaking out of the loop ends the snapshot.
 */
export async function* streamOpenItems(
  db: Database,
  query: Omit<OpenItemsQuery, "after" | "limit">,
  batchSize: number,
): AsyncGenerator<readonly OpenItem[], void, undefined> {
  const asOf = parseAsOf(query);
  const limit = pageSize(batchSize, "batchSize");
  let demand = deferred<boolean>();
  let supply = deferred<{ items: readonly OpenItem[]; last: boolean }>();

  const producer = db.readSnapshot(async (tx) => {
    let after: PageCursor | null = null;
    for (;;) {
      const wanted = await demand.promise;
      if (!wanted) return;
      demand = deferred();
      const page = await readPage(tx, asOf, after, limit);
      const out = supply;
      supply = deferred();
      out.resolve({ items: page.items, last: page.next === null });
      if (page.next === null) return;
      after = decodeCursor(page.next);
    }
  });
  producer.catch((error: unknown) => {
    supply.reject(error);
  });

  try {
    for (;;) {
      const pending = supply;
      demand.resolve(true);
      const { items, last } = await pending.promise;
      if (items.length > 0) yield items;
      if (last) break;
    }
  } finally {
    demand.resolve(false);
    await producer;
  }
}

// -- aging ---------------------------------------------------------------------

interface Accumulator {
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly currency: CurrencyCode;
  readonly buckets: Map<string, bigint>;
  total: bigint;
}

function toMoneyRecord(buckets: Map<string, bigint>, currency: CurrencyCode): Record<string, Money> {
  return Object.fromEntries([...buckets].map(([key, minor]) => [key, Money.fromMinor(minor, currency)]));
}

/**
 * Aging as of a date, summed in SQL per customer, currency and bucket.
 * Totals are per currency (never across). `disputed` gives the open amount of
 * disputed documents per currency; with `excludeDisputed` those documents are
 * left out of the customer rows and totals.
 */
export async function agingReport(db: SqlExecutor, query: AgingQuery): Promise<AgingReport> {
  const asOf = parseAsOf(query);
  const buckets = agingBuckets(asOf.edges, asOf.basis);
  const excludeDisputed = query.excludeDisputed ?? false;
  const rows = await db.all(st.agingGroups(db.dialect, asOf));

  const emptyBuckets = () => new Map(buckets.map((bucket) => [bucket.key, 0n]));
  const customers = new Map<string, Accumulator>();
  const totals = new Map<string, { buckets: Map<string, bigint>; total: bigint }>();
  const disputed = new Map<string, bigint>();
  for (const row of rows) {
    const currency = parseCurrency(str(row, "currency"));
    const bucket = str(row, "bucket");
    const minor = big(row, "open_minor");
    if (num(row, "disputed") === 1) {
      disputed.set(currency, (disputed.get(currency) ?? 0n) + minor);
      if (excludeDisputed) continue;
    }
    const customerId = str(row, "customer_id");
    // A currency code is exactly three letters, so the pair key is unambiguous.
    const key = `${currency}${customerId}`;
    let customer = customers.get(key);
    if (customer === undefined) {
      customer = {
        customerId,
        customerNumber: str(row, "customer_number"),
        customerName: str(row, "customer_name"),
        currency,
        buckets: emptyBuckets(),
        total: 0n,
      };
      customers.set(key, customer);
    }
    let total = totals.get(currency);
    if (total === undefined) {
      total = { buckets: emptyBuckets(), total: 0n };
      totals.set(currency, total);
    }
    for (const target of [customer, total]) {
      target.buckets.set(bucket, (target.buckets.get(bucket) ?? 0n) + minor);
      target.total += minor;
    }
  }

  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    asOf: asOf.asOf,
    basis: asOf.basis,
    buckets: buckets.map(({ key, label }) => ({ key, label })),
    // Rows arrive ordered by customer number and currency; Map keeps that order.
    customers: [...customers.values()].map(
      (c): AgingRow => ({
        customerId: c.customerId,
        customerNumber: c.customerNumber,
        customerName: c.customerName,
        currency: c.currency,
        buckets: toMoneyRecord(c.buckets, c.currency),
        total: Money.fromMinor(c.total, c.currency),
      }),
    ),
    totals: [...totals.entries()]
      .sort(([a], [b]) => byCode(a, b))
      .map(([code, t]) => {
        const currency = parseCurrency(code);
        return { currency, buckets: toMoneyRecord(t.buckets, currency), total: Money.fromMinor(t.total, currency) };
      }),
    disputed: [...disputed.entries()]
      .sort(([a], [b]) => byCode(a, b))
      .map(([code, minor]) => ({ currency: parseCurrency(code), total: Money.fromMinor(minor, code) })),
  };
}

// -- customer statement --------------------------------------------------------

const DOCUMENT_NAMES: Record<DocumentType, string> = {
  invoice: "Invoice",
  debitMemo: "Debit memo",
  creditMemo: "Credit memo",
};

function describeLine(kind: StatementLine["kind"], reference: string, detail: string | null): string {
  const suffix = detail === null || detail === "" ? "" : `: ${detail}`;
  switch (kind) {
    case "invoice":
    case "debitMemo":
    case "creditMemo":
      return `${DOCUMENT_NAMES[kind]} ${reference}${suffix}`;
    case "receipt":
      return `Payment ${reference}${detail === null ? "" : ` (${detail})`}`;
    case "receiptReversal":
      return `Returned payment ${reference}${suffix}`;
    case "discount":
      return `Discount taken on ${reference}`;
    case "writeOff":
      return `Write-off on ${reference}${suffix}`;
    case "applicationReversal":
      return `Reversed discount or write-off on ${reference}`;
  }
}

const STATEMENT_KINDS = new Set<string>([
  "invoice",
  "debitMemo",
  "creditMemo",
  "receipt",
  "receiptReversal",
  "discount",
  "writeOff",
  "applicationReversal",
]);

/**
 * A customer's statement for [from, to] in one currency (default: the
 * customer's). Opening balance = Σ effects dated before `from`; lines are the
 * effects dated within the range with a running balance; closing = opening +
 * Σ lines. Effects: invoices and debit memos +, credit memos −, receipts −,
 * returned receipts +, discounts and write-offs taken in applications −,
 * stand-alone write-offs − (+ for a credit memo's), reversed discounts and
 * write-offs +. Applying cash or a credit to an invoice is not a line: the
 * receipt or credit memo already lowered the balance, the application only
 * says which invoice it paid.
 */
export async function customerStatement(
  db: SqlExecutor | Database,
  // Dates as text: they are parsed (and refused with invalid_date) here.
  query: { customerId: string; currency?: CurrencyCode | undefined; from: string; to: string },
): Promise<CustomerStatement> {
  const from = parseIsoDate(query.from, "from");
  const to = parseIsoDate(query.to, "to");
  if (from > to) {
    throw new DomainError("invalid_argument", `from (${from}) is after to (${to}): the statement period is empty`, {
      field: "from",
    });
  }
  const requested = query.currency === undefined ? undefined : parseCurrency(query.currency);
  return await inSnapshot(db, async (tx) => {
    const found = await tx.all(st.customersByIds(tx.dialect, { ids: [query.customerId] }));
    const customerRow = found[0];
    if (customerRow === undefined) {
      throw new DomainError("not_found", `customer "${query.customerId}" does not exist`, { field: "customerId" });
    }
    const currency = requested ?? customerFromRow(customerRow).currency;
    const scope = { customerId: query.customerId, currency };
    const openingRows = await tx.all(st.statementOpeningBalance(tx.dialect, { ...scope, before: from }));
    const openingBalance = Money.fromMinor(openingRows[0] === undefined ? 0n : big(openingRows[0], "balance_minor"), currency);
    const lineRows = await tx.all(st.statementLines(tx.dialect, { ...scope, from, to }));
    let balance = openingBalance;
    const lines = lineRows.map((row): StatementLine => {
      const kindText = str(row, "kind");
      if (!STATEMENT_KINDS.has(kindText)) throw new Error(`statement query returned an unknown line kind ${kindText}`);
      const kind = kindText as StatementLine["kind"];
      const amount = money(row, "amount_minor", currency);
      balance = balance.add(amount);
      const reference = str(row, "reference");
      return {
        date: isoDate(row, "entry_date"),
        kind,
        reference,
        description: describeLine(kind, reference, strOrNull(row, "detail")),
        amount,
        balance,
      };
    });
    return { customerId: query.customerId, currency, from, to, openingBalance, lines, closingBalance: balance };
  });
}

// -- change feed ---------------------------------------------------------------

const SEQ_TEXT = /^\d{1,19}$/;

type Loader = (tx: SqlExecutor, ids: readonly string[]) => Promise<Map<string, Record<string, unknown>>>;

function loader(
  build: (dialect: SqlExecutor["dialect"], args: { ids: readonly string[] }) => ReturnType<typeof st.documentsByIds>,
  key: string,
  toData: (row: Row) => Record<string, unknown>,
): Loader {
  return async (tx, ids) => {
    const out = new Map<string, Record<string, unknown>>();
    for (const chunk of chunks(ids)) {
      for (const row of await tx.all(build(tx.dialect, { ids: chunk }))) out.set(str(row, key), toData(row));
    }
    return out;
  };
}

const LOADERS: Record<ChangeEntity, Loader> = {
  customer: loader(st.customersByIds, "id", (row) => ({ ...customerFromRow(row) })),
  document: loader(st.documentsByIds, "id", (row) => {
    const currency = parseCurrency(str(row, "currency"));
    return {
      id: str(row, "id"),
      customerId: str(row, "customer_id"),
      type: str(row, "doc_type"),
      number: str(row, "number"),
      documentDate: isoDate(row, "document_date"),
      dueDate: isoDate(row, "due_date"),
      currency,
      terms: strOrNull(row, "terms_code"),
      amount: money(row, "amount_minor", currency),
      open: money(row, "open_minor", currency),
      disputed: num(row, "disputed") === 1,
      memo: strOrNull(row, "memo"),
      version: num(row, "version"),
    };
  }),
  receipt: loader(st.receiptsByIds, "id", (row) => {
    const currency = parseCurrency(str(row, "currency"));
    return {
      id: str(row, "id"),
      customerId: str(row, "customer_id"),
      date: isoDate(row, "receipt_date"),
      currency,
      amount: money(row, "amount_minor", currency),
      unapplied: money(row, "unapplied_minor", currency),
      method: str(row, "method"),
      reference: str(row, "reference"),
      reversed: num(row, "reversed") === 1,
      version: num(row, "version"),
    };
  }),
  note: loader(st.notesByIds, "id", (row) => {
    const promiseCurrency = strOrNull(row, "promise_currency");
    const promiseMinor = column(row, "promise_amount_minor");
    return {
      id: str(row, "id"),
      customerId: str(row, "customer_id"),
      documentId: strOrNull(row, "document_id"),
      kind: str(row, "kind"),
      body: str(row, "body"),
      promise:
        promiseCurrency === null || promiseMinor === null
          ? null
          : {
              amount: money(row, "promise_amount_minor", parseCurrency(promiseCurrency)),
              date: strOrNull(row, "promise_date"),
            },
      followUpDate: strOrNull(row, "follow_up_date"),
      author: str(row, "author"),
      createdAt: str(row, "created_at"),
    };
  }),
  dispute: loader(st.disputesByIds, "id", (row) => {
    const currency = parseCurrency(str(row, "currency"));
    return {
      id: str(row, "id"),
      documentId: str(row, "document_id"),
      reasonCode: str(row, "reason_code"),
      currency,
      amount: money(row, "amount_minor", currency),
      status: str(row, "status"),
      note: str(row, "note"),
      resolution: strOrNull(row, "resolution"),
      resolutionNote: strOrNull(row, "resolution_note"),
      openedAt: str(row, "opened_at"),
      openedBy: str(row, "opened_by"),
      resolvedAt: strOrNull(row, "resolved_at"),
      resolvedBy: strOrNull(row, "resolved_by"),
      version: num(row, "version"),
    };
  }),
  period: loader(st.periodsByIds, "period", (row) => ({
    period: str(row, "period"),
    status: str(row, "status"),
    closedAt: strOrNull(row, "closed_at"),
    closedBy: strOrNull(row, "closed_by"),
  })),
};

function isChangeEntity(value: string): value is ChangeEntity {
  return Object.hasOwn(LOADERS, value);
}

/**
 * Change-feed rows after `since` in sequence order, each with its entity's
 * CURRENT state (null if it no longer exists), loaded with one statement per
 * entity kind per page. `cursor` is the last sequence number returned (or
 * `since` when nothing is new); `hasMore` says another call would return more.
 */
export async function changesSince(db: SqlExecutor | Database, query: { since: string; limit: number }): Promise<ChangesPage> {
  // Typed as a string, but it comes from a query string: check what actually arrived.
  const sinceText: unknown = query.since;
  if (typeof sinceText !== "string" || !SEQ_TEXT.test(sinceText)) {
    throw new DomainError(
      "invalid_argument",
      `since: "${String(sinceText)}" is not a change-feed cursor (a whole number such as "0" or a cursor from a previous answer)`,
      { field: "since" },
    );
  }
  const since = BigInt(sinceText);
  const limit = pageSize(query.limit, "limit");
  return await inSnapshot(db, async (tx) => {
    const rows = await tx.all(st.changeLogAfter(tx.dialect, { since, limit: limit + 1 }));
    const page = rows.slice(0, limit);
    const idsByEntity = new Map<ChangeEntity, Set<string>>();
    for (const row of page) {
      const entity = str(row, "entity");
      if (!isChangeEntity(entity)) throw new Error(`change_log row ${String(big(row, "change_seq"))} names unknown entity ${entity}`);
      let ids = idsByEntity.get(entity);
      if (ids === undefined) {
        ids = new Set();
        idsByEntity.set(entity, ids);
      }
      ids.add(str(row, "entity_id"));
    }
    const loaded = new Map<ChangeEntity, Map<string, Record<string, unknown>>>();
    for (const [entity, ids] of idsByEntity) loaded.set(entity, await LOADERS[entity](tx, [...ids]));

    const changes = page.map((row): ChangeEntry => {
      const entity = str(row, "entity") as ChangeEntity;
      const id = str(row, "entity_id");
      return {
        seq: String(big(row, "change_seq")),
        entity,
        id,
        changeSetId: strOrNull(row, "changeset_id"),
        data: loaded.get(entity)?.get(id) ?? null,
      };
    });
    const last = changes[changes.length - 1];
    return { changes, cursor: last === undefined ? since.toString() : last.seq, hasMore: rows.length > limit };
  });
}
