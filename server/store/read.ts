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
import { minorUnits, parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, toDayNumber, type IsoDate } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import type { DocumentType } from "../../shared/ledger.js";
import { formatMinorUnits } from "../../shared/minor-units.js";
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
type Dispute = NonNullable<OpenItem["dispute"]>;

function noteFromRow(row: Row): Note {
  return { kind: str(row, "kind"), body: str(row, "body"), at: str(row, "created_at") };
}

/** A promise row judged as of `asOf` from what was settled toward it since it was made. */
function promiseFromRow(row: Row, asOf: IsoDate): OpenItemPromise {
  const currency = parseCurrency(str(row, "promise_currency"));
  const amount = money(row, "promise_amount_minor", currency);
  const date = isoDate(row, "promise_date");
  const madeOn = isoDate(row, "made_on");
  const settled = money(row, "settled_minor", currency);
  // A payment applied before the promise and reversed after it nets negative in the window: nothing was paid toward it.
  const paidSince = settled.isNegative() ? Money.zero(currency) : settled;
  const status = promiseStatus({ promisedAmount: amount, promisedDate: date, madeOn, paidSince, today: asOf });
  return { amount, currency, date, madeOn, status };
}

/** What a page shows about its documents: open disputes, latest notes and latest promises, by document id. */
interface DocumentLookups {
  readonly disputes: Map<string, Dispute>;
  readonly notes: Map<string, Note>;
  readonly promises: Map<string, OpenItemPromise>;
}

/** One statement each over the page's keyset range of documents (see st.DocumentRange), never one per row. */
async function documentLookups(tx: SqlExecutor, asOf: IsoDate, range: st.DocumentRange): Promise<DocumentLookups> {
  const disputes = new Map<string, Dispute>();
  for (const row of await tx.all(st.openDisputesInRange(tx.dialect, range))) {
    const currency = parseCurrency(str(row, "currency"));
    disputes.set(str(row, "document_id"), {
      id: str(row, "id"),
      reasonCode: str(row, "reason_code"),
      amount: money(row, "amount_minor", currency),
      version: num(row, "version"),
    });
  }
  const notes = new Map<string, Note>();
  for (const row of await tx.all(st.latestDocumentNotes(tx.dialect, range))) notes.set(str(row, "key_id"), noteFromRow(row));
  const promises = new Map<string, OpenItemPromise>();
  for (const row of await tx.all(st.latestDocumentPromises(tx.dialect, { ...range, asOf }))) {
    promises.set(str(row, "key_id"), promiseFromRow(row, asOf));
  }
  return { disputes, notes, promises };
}

/** What an open item shows about its customer besides notes and promises. */
interface CustomerFacts {
  readonly number: string;
  readonly name: string;
  readonly collector: string | null;
}

/**
 * Each customer's number, name and collector, and its latest general note and
 * promise (about no particular document), remembered for the whole read: a
 * stream asks only about customers it has not met on an earlier page, so the
 * customers are looked up once per stream, not once per page or row. Holds at
 * most one entry per customer, whatever the number of items. Only valid
 * inside one snapshot and for one as-of date.
 */
class CustomerLookups {
  readonly #asOf: IsoDate;
  readonly #facts = new Map<string, CustomerFacts>();
  readonly #notes = new Map<string, Note | null>();
  readonly #promises = new Map<string, OpenItemPromise | null>();

  constructor(asOf: IsoDate) {
    this.#asOf = asOf;
  }

  async load(tx: SqlExecutor, customerIds: Iterable<string>): Promise<void> {
    const unseen = [...new Set(customerIds)].filter((id) => !this.#notes.has(id));
    for (const ids of chunks(unseen)) {
      for (const id of ids) {
        this.#notes.set(id, null);
        this.#promises.set(id, null);
      }
      for (const row of await tx.all(st.customersByIds(tx.dialect, { ids }))) {
        this.#facts.set(str(row, "id"), { number: str(row, "number"), name: str(row, "name"), collector: strOrNull(row, "collector") });
      }
      for (const row of await tx.all(st.latestCustomerNotes(tx.dialect, { customerIds: ids }))) {
        this.#notes.set(str(row, "key_id"), noteFromRow(row));
      }
      for (const row of await tx.all(st.latestCustomerPromises(tx.dialect, { asOf: this.#asOf, customerIds: ids }))) {
        this.#promises.set(str(row, "key_id"), promiseFromRow(row, this.#asOf));
      }
    }
  }

  facts(customerId: string): CustomerFacts {
    const facts = this.#facts.get(customerId);
    // Open items reference their customer by foreign key; a miss means load() was skipped.
    if (facts === undefined) throw new Error(`customer ${customerId} was not looked up before its open items`);
    return facts;
  }

  note(customerId: string): Note | null {
    return this.#notes.get(customerId) ?? null;
  }

  promise(customerId: string): OpenItemPromise | null {
    return this.#promises.get(customerId) ?? null;
  }
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

function currencyOf(row: Row): CurrencyCode {
  return parseCurrency(str(row, "currency"));
}

/**
 * An open item as the read side builds it: the amounts are kept as minor
 * units and become `Money` only when asked for, and `toJSON` writes them
 * straight from the minor units (formatMinorUnits gives exactly the text
 * Money#toJSON would). A pull of 100,000 items is serialized and sent
 * without building 200,000 Money values (and their Decimals) it would only
 * turn back into text. Property order in the JSON is the OpenItem order.
 */
class OpenItemRow implements OpenItem {
  readonly kind: OpenItemKind;
  readonly id: string;
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly collector: string | null;
  readonly number: string;
  readonly documentDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly currency: CurrencyCode;
  readonly days: number;
  readonly bucket: string;
  readonly disputed: boolean;
  readonly version: number;
  readonly lastNote: Note | null;
  readonly terms: string | null;
  readonly promise: OpenItemPromise | null;
  readonly dispute: Dispute | null;
  readonly #amountMinor: bigint;
  readonly #openMinor: bigint;
  #amount: Money | undefined;
  #open: Money | undefined;

  constructor(row: Row, page: PageContext) {
    const kind = str(row, "kind") as OpenItemKind;
    const id = str(row, "id");
    const customerId = str(row, "customer_id");
    const isDocument = kind !== "unappliedCash";
    this.kind = kind;
    this.id = id;
    this.customerId = customerId;
    const customer = page.customers.facts(customerId);
    this.customerNumber = customer.number;
    this.customerName = customer.name;
    this.collector = customer.collector;
    this.number = str(row, "number");
    this.documentDate = isoDate(row, "document_date");
    this.dueDate = isoDate(row, "due_date");
    this.currency = currencyOf(row);
    this.#amountMinor = big(row, "amount_minor");
    this.#openMinor = big(row, "open_minor");
    this.days = page.daysBefore(page.basis === "due" ? this.dueDate : this.documentDate);
    this.bucket = str(row, "bucket");
    this.disputed = num(row, "disputed") === 1;
    this.version = num(row, "version");
    this.lastNote = (isDocument ? page.documents?.notes.get(id) : undefined) ?? page.customers.note(customerId);
    this.terms = strOrNull(row, "terms_code");
    this.promise = (isDocument ? page.documents?.promises.get(id) : undefined) ?? page.customers.promise(customerId);
    this.dispute = isDocument ? (page.documents?.disputes.get(id) ?? null) : null;
  }

  get amount(): Money {
    return (this.#amount ??= Money.fromMinor(this.#amountMinor, this.currency));
  }

  get open(): Money {
    return (this.#open ??= Money.fromMinor(this.#openMinor, this.currency));
  }

  toJSON(): Record<string, unknown> {
    const digits = minorUnits(this.currency);
    return {
      kind: this.kind,
      id: this.id,
      customerId: this.customerId,
      customerNumber: this.customerNumber,
      customerName: this.customerName,
      collector: this.collector,
      number: this.number,
      documentDate: this.documentDate,
      dueDate: this.dueDate,
      currency: this.currency,
      amount: formatMinorUnits(this.#amountMinor, digits),
      open: formatMinorUnits(this.#openMinor, digits),
      days: this.days,
      bucket: this.bucket,
      disputed: this.disputed,
      version: this.version,
      lastNote: this.lastNote,
      terms: this.terms,
      promise: this.promise,
      dispute: this.dispute,
    };
  }
}

/** What every item of one page is built with. */
interface PageContext {
  readonly basis: AgingBasis;
  readonly daysBefore: (date: IsoDate) => number;
  readonly documents: DocumentLookups | null;
  readonly customers: CustomerLookups;
}

/**
 * One page of open items (documents first, then unapplied cash, each by id)
 * with everything it shows about them. `customers` carries customer lookups
 * over from earlier pages of the same snapshot.
 */
async function readPage(
  tx: SqlExecutor,
  query: AsOf,
  after: PageCursor | null,
  limit: number,
  customers: CustomerLookups,
): Promise<{ items: OpenItem[]; next: PageCursor | null }> {
  const dialect = tx.dialect;
  const rows: Row[] = [];
  let next: PageCursor | null = null;
  let documents: st.DocumentRange | null = null;
  // One more row than asked tells whether another page follows.
  if (after === null || after.p === "d") {
    const from = after?.id ?? null;
    const found = await tx.all(st.openDocumentsPage(dialect, { ...query, afterId: from, limit: limit + 1 }));
    const taken = found.slice(0, limit);
    rows.push(...taken);
    const last = taken[taken.length - 1];
    if (last !== undefined) {
      const through = str(last, "id");
      documents = { after: from, through, customerId: query.customerId, collector: query.collector, currency: query.currency };
      if (found.length > limit) next = { p: "d", id: through };
    }
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
  if (rows.length === 0) return { items: [], next };

  await customers.load(
    tx,
    rows.map((row) => str(row, "customer_id")),
  );
  const page: PageContext = {
    basis: query.basis,
    daysBefore: makeDayCounter(query.asOf),
    documents: documents === null ? null : await documentLookups(tx, query.asOf, documents),
    customers,
  };
  return { items: rows.map((row) => new OpenItemRow(row, page)), next };
}

/**
 * One page of what is open as of `asOf` (see DESIGN.md "Aging conventions"),
 * with bucket and days per item, the latest note (the document's, else the
 * customer's general one), the terms code, the latest promise to pay (same
 * fallback) judged kept, broken or pending as of `asOf`, an opaque `next`
 * cursor and the change-feed cursor taken before the read. Notes, promises
 * and disputes take one statement each per page, never one per row. Promises
 * are shown whenever they were recorded (like notes: `created_at` is a UTC
 * instant, and a clerk's "today" may already be tomorrow in UTC); only the
 * payments counted toward them stop at `asOf`.
 */
export async function openItemsPage(db: SqlExecutor | Database, query: OpenItemsQuery): Promise<OpenItemsPage> {
  const asOf = parseAsOf(query);
  const limit = pageSize(query.limit, "limit");
  const after = query.after === undefined ? null : decodeCursor(query.after);
  return await inSnapshot(db, async (tx) => {
    // The feed position first: whatever commits after it is in /changes?since=cursor.
    const position = await tx.all(st.changeFeedPosition(tx.dialect));
    const cursor = String(position[0] === undefined ? 0n : big(position[0], "value_seq"));
    const page = await readPage(tx, asOf, after, limit, new CustomerLookups(asOf.asOf));
    return { items: page.items, next: page.next === null ? null : encodeCursor(page.next), cursor };
  });
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
 * keyset pages. The snapshot's work reads one page ahead of the consumer:
 * while the consumer serializes and sends a batch, the next one is being
 * read (on PostgreSQL the query runs on the server meanwhile), and it then
 * waits until that batch is taken. So at most two batches are held however
 * many items there are. Breaking out of the loop ends the snapshot.
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
  // Set when the consumer is done: a page read ahead is then dropped, not waited on.
  let stopped = false;

  const producer = db.readSnapshot(async (tx) => {
    const customers = new CustomerLookups(asOf.asOf);
    let after: PageCursor | null = null;
    for (;;) {
      const wanted = await demand.promise;
      if (!wanted || stopped) return;
      demand = deferred();
      const page = await readPage(tx, asOf, after, limit, customers);
      const out = supply;
      supply = deferred();
      out.resolve({ items: page.items, last: page.next === null });
      if (page.next === null) return;
      after = page.next;
    }
  });
  producer.catch((error: unknown) => {
    supply.reject(error);
  });

  try {
    let pending = supply;
    demand.resolve(true);
    for (;;) {
      const { items, last } = await pending.promise;
      if (!last) {
        // The producer has already swapped in the next supply and demand: ask for the next page now.
        pending = supply;
        demand.resolve(true);
      }
      if (items.length > 0) yield items;
      if (last) break;
    }
  } finally {
    stopped = true;
    demand.resolve(false);
    await producer;
  }
}

// -- aging ---------------------------------------------------------------------

/**
 * One line of the report (a customer in one currency, or a currency's total):
 * bucket sums and total kept as minor units, turned into `Money` only when
 * read, and written to JSON straight from the minor units (the text
 * Money#toJSON would give), so an answer sent over HTTP builds no Money per
 * cell. Property order in the JSON is the AgingRow order.
 */
class AgingLine {
  readonly currency: CurrencyCode;
  readonly #bucketMinors: Map<string, bigint>;
  #totalMinor = 0n;
  #buckets: Record<string, Money> | undefined;
  #total: Money | undefined;

  constructor(currency: CurrencyCode, bucketKeys: readonly string[]) {
    this.currency = currency;
    this.#bucketMinors = new Map(bucketKeys.map((key) => [key, 0n]));
  }

  add(bucket: string, minor: bigint): void {
    this.#bucketMinors.set(bucket, (this.#bucketMinors.get(bucket) ?? 0n) + minor);
    this.#totalMinor += minor;
  }

  get buckets(): Readonly<Record<string, Money>> {
    return (this.#buckets ??= Object.fromEntries(
      [...this.#bucketMinors].map(([key, minor]) => [key, Money.fromMinor(minor, this.currency)]),
    ));
  }

  get total(): Money {
    return (this.#total ??= Money.fromMinor(this.#totalMinor, this.currency));
  }

  protected amountsJson(): { buckets: Record<string, string>; total: string } {
    const digits = minorUnits(this.currency);
    const buckets: Record<string, string> = {};
    for (const [key, minor] of this.#bucketMinors) buckets[key] = formatMinorUnits(minor, digits);
    return { buckets, total: formatMinorUnits(this.#totalMinor, digits) };
  }

  toJSON(): Record<string, unknown> {
    return { currency: this.currency, ...this.amountsJson() };
  }
}

class CustomerAgingLine extends AgingLine implements AgingRow {
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;

  constructor(row: Row, currency: CurrencyCode, bucketKeys: readonly string[]) {
    super(currency, bucketKeys);
    this.customerId = str(row, "customer_id");
    this.customerNumber = str(row, "customer_number");
    this.customerName = str(row, "customer_name");
  }

  override toJSON(): Record<string, unknown> {
    return {
      customerId: this.customerId,
      customerNumber: this.customerNumber,
      customerName: this.customerName,
      currency: this.currency,
      ...this.amountsJson(),
    };
  }
}

/**
 * Takes aging amounts of one customer, currency and disputed flag (the row's
 * columns) by bucket. The customer's line is made even when every amount is zero.
 */
type AgingSink = (row: Row, amounts: Iterable<readonly [bucket: string, minor: bigint]>) => void;

/**
 * Aging's groups from agingBoundaryTotals and agingHistoryGroups, read in one
 * snapshot and handed to `add` in customer-number order: each boundary-totals
 * row gives one amount per bucket (bucket i = before_<i−1> − before_<i>,
 * exact in bigint), and the history groups are merged in by customer number
 * and currency. Used on PostgreSQL, where the one-statement agingGroups
 * cannot run in parallel (see agingBoundaryTotals).
 */
async function agingInTwoStatements(
  db: SqlExecutor | Database,
  asOf: AsOf,
  bucketKeys: readonly string[],
  add: AgingSink,
): Promise<void> {
  const [totals, history] = await inSnapshot(db, async (tx) => [
    await tx.all(st.agingBoundaryTotals(tx.dialect, asOf)),
    await tx.all(st.agingHistoryGroups(tx.dialect, asOf)),
  ]);
  const boundaries = bucketKeys.map((_, i) => `before_${i}_minor`).slice(0, -1);
  const before = (row: Row, i: number): bigint => {
    const key = boundaries[i] as string;
    return column(row, key) === null ? 0n : big(row, key);
  };
  const amounts = new Map<string, bigint>();
  let next = 0;
  // History rows go before the totals row of a later (customer number, currency).
  const addHistoryUpTo = (upTo: Row | null) => {
    while (next < history.length) {
      const row = history[next] as Row;
      if (upTo !== null) {
        const order = compareCodePoints(str(row, "customer_number"), str(upTo, "customer_number"));
        if (order > 0 || (order === 0 && str(row, "currency") > str(upTo, "currency"))) return;
      }
      add(row, [[str(row, "bucket"), big(row, "open_minor")]]);
      next += 1;
    }
  };
  for (const row of totals) {
    addHistoryUpTo(row);
    let upper = big(row, "total_minor");
    for (let i = 0; i < bucketKeys.length; i++) {
      const lower = i < boundaries.length ? before(row, i) : 0n;
      amounts.set(bucketKeys[i] as string, upper - lower);
      upper = lower;
    }
    add(row, amounts);
  }
  addHistoryUpTo(null);
}

/** Code point order: what SQLite and PostgreSQL's "C" collation sort text in (UTF-16 `<` differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true) return y.done === true ? 0 : -1;
    if (y.done === true) return 1;
    const difference = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
}

/**
 * Aging as of a date, summed in SQL per customer, currency and bucket.
 * Totals are per currency (never across). `disputed` gives the open amount of
 * disputed documents per currency; with `excludeDisputed` those documents are
 * left out of the customer rows and totals. Sums are bigint minor units
 * throughout; see AgingLine for when they become Money.
 */
export async function agingReport(db: SqlExecutor, query: AgingQuery): Promise<AgingReport> {
  const asOf = parseAsOf(query);
  const buckets = agingBuckets(asOf.edges, asOf.basis);
  const bucketKeys = buckets.map((bucket) => bucket.key);
  const excludeDisputed = query.excludeDisputed ?? false;
  const customers = new Map<string, CustomerAgingLine>();
  const totals = new Map<string, AgingLine>();
  const disputed = new Map<string, bigint>();
  const add: AgingSink = (row, amounts) => {
    const currency = currencyOf(row);
    if (num(row, "disputed") === 1) {
      let sum = disputed.get(currency) ?? 0n;
      for (const [, minor] of amounts) sum += minor;
      disputed.set(currency, sum);
      if (excludeDisputed) return;
    }
    const customerId = str(row, "customer_id");
    // A currency code is exactly three letters, so the pair key is unambiguous.
    const key = `${currency}${customerId}`;
    let customer = customers.get(key);
    if (customer === undefined) {
      customer = new CustomerAgingLine(row, currency, bucketKeys);
      customers.set(key, customer);
    }
    let total = totals.get(currency);
    if (total === undefined) {
      total = new AgingLine(currency, bucketKeys);
      totals.set(currency, total);
    }
    for (const [bucket, minor] of amounts) {
      if (minor === 0n) continue;
      customer.add(bucket, minor);
      total.add(bucket, minor);
    }
  };
  if (db.dialect === "postgres") {
    await agingInTwoStatements(db, asOf, bucketKeys, add);
  } else {
    for (const row of await db.all(st.agingGroups(db.dialect, asOf))) add(row, [[str(row, "bucket"), big(row, "open_minor")]]);
  }

  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    asOf: asOf.asOf,
    basis: asOf.basis,
    buckets: buckets.map(({ key, label }) => ({ key, label })),
    // Rows arrive ordered by customer number and currency; Map keeps that order.
    customers: [...customers.values()],
    totals: [...totals.entries()].sort(([a], [b]) => byCode(a, b)).map(([, line]) => line),
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
