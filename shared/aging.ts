/**
 * Accounts-receivable aging as of a date.
 *
 * Three steps, each a pure function over plain data, so the server, the
 * add-in and the month-end workbooks all age the same way:
 *
 * 1. `openItemsAsOf(snapshot, { asOf })`: what was open at the end of day D.
 * 2. `ageOpenItems(items, { asOf, basis, edges })`: days and bucket per item.
 * 3. `summarizeAging(agedItems, { excludeDisputed, basis, edges })`: per
 *    customer and per currency bucket totals.
 *
 * Conventions (DESIGN.md, "Aging conventions"):
 *
 * - As-of is historical. Every event counts from its own date: a document or
 *   receipt dated after D does not exist yet; an application, write-off or
 *   receipt reversal dated after D has not happened yet. Reversal rows carry
 *   negated amounts, so plain sums give the right answer either side of the
 *   reversal date.
 * - Invoice and debit memo: open(D) = amount − Σ(application amount +
 *   discount + write-off, for applications to it dated ≤ D) − Σ(stand-alone
 *   write-offs of it dated ≤ D). Positive.
 * - Credit memo: open(D) = −(amount − Σ(applications sourced from it dated ≤
 *   D) − Σ(stand-alone write-offs of it dated ≤ D)). Negative: a credit the
 *   customer still has. (A stand-alone write-off of a credit memo is the
 *   small-credit-balance clean-up; it shrinks the credit.)
 * - Unapplied cash of a receipt: open(D) = −(amount − Σ(applications sourced
 *   from it dated ≤ D)); zero from the date of a ReceiptReversal (NSF,
 *   returned) on. The reversed receipt's applications are undone by their
 *   own reversal rows, which reopen the invoices.
 * - Items whose open amount as of D is zero are not open items.
 * - Basis `due` (default): days = D − due date; "current" holds days ≤ 0
 *   (due today is current), then 1–30, 31–60, 61–90, 91–120, over 120.
 *   Basis `document`: days = D − document date; 0–30, 31–60, … over 120.
 * - Credit memos and unapplied cash have no real due date: on the due basis
 *   they are aged from their own date, i.e. an open item's `dueDate` for
 *   them IS their document/receipt date. So a credit issued today is
 *   "current" and a three-month-old unapplied payment shows up as 91–120,
 *   which is where a collector wants to see it.
 * - Bucket edges are configurable: strictly increasing positive whole
 *   numbers, at least one; keys derive from them ([15, 45] on the due basis
 *   gives current, 1-15, 16-45, over-45).
 * - Amounts in different currencies are never summed: a customer with two
 *   currencies has two summary rows; totals are per currency.
 *
 * All of it is linear in the size of the snapshot (maps by id, one pass over
 * each kind of row), because it has to age a million items.
 */
import type { CurrencyCode } from "./currency.js";
import { parseIsoDate, toDayNumber, type IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import type { ArDocument, LedgerSnapshot, Receipt } from "./ledger.js";
import { Money } from "./money.js";

export type AgingBasis = "due" | "document";

export const AGING_BASES: readonly AgingBasis[] = ["due", "document"];

export const DEFAULT_AGING_EDGES: readonly number[] = Object.freeze([30, 60, 90, 120]);

export type OpenItemKind = "invoice" | "debitMemo" | "creditMemo" | "unappliedCash";

/** Something open on the ledger as of a date. Amounts are signed: credits and unapplied cash are negative. */
export interface OpenItem {
  readonly kind: OpenItemKind;
  /** The document id, or the receipt id for unapplied cash. */
  readonly id: string;
  readonly customerId: string;
  /** The document number, or the receipt's reference (check number, bank reference) for unapplied cash. */
  readonly number: string;
  /** Document date, or receipt date for unapplied cash. */
  readonly date: IsoDate;
  /** Due date for invoices and debit memos; for credit memos and unapplied cash, their own `date` (see module doc). */
  readonly dueDate: IsoDate;
  readonly currency: CurrencyCode;
  /** The original amount, signed like `openAmount`. */
  readonly originalAmount: Money;
  readonly openAmount: Money;
  readonly disputed: boolean;
}

export interface AgedItem extends OpenItem {
  /** Days past due (basis due) or days since the document date (basis document). */
  readonly days: number;
  /** The key of the bucket `days` falls in, e.g. "31-60". */
  readonly bucket: string;
}

/** One aging column. `minDays`/`maxDays` are inclusive; null means unbounded. */
export interface AgingBucket {
  /** Stable key: "current", "1-30", "over-120" (hyphen, for code and JSON). */
  readonly key: string;
  /** Heading for people: "Current", "1–30", "Over 120" (en dash). */
  readonly label: string;
  readonly minDays: number | null;
  readonly maxDays: number | null;
}

export interface AgingTotalRow {
  readonly currency: CurrencyCode;
  /** Every bucket of the basis/edges, in order, zero where nothing falls. */
  readonly buckets: Readonly<Record<string, Money>>;
  readonly total: Money;
  readonly itemCount: number;
}

export interface AgingCustomerRow extends AgingTotalRow {
  readonly customerId: string;
}

export interface AgingSummary {
  readonly basis: AgingBasis;
  readonly buckets: readonly AgingBucket[];
  /** One row per customer and currency, ordered by customer id then currency. */
  readonly customers: readonly AgingCustomerRow[];
  /** One row per currency, ordered by currency code. */
  readonly totals: readonly AgingTotalRow[];
  /**
   * Open amount of disputed items per currency. With `excludeDisputed` these
   * items are left out of `customers` and `totals`; without it they are in
   * them too and this says how much of the total is in dispute.
   */
  readonly disputed: readonly AgingTotalRow[];
}

// ---------------------------------------------------------------------------
// Validation

export function parseAgingBasis(value: unknown, field = "basis"): AgingBasis {
  if (value === "due" || value === "document") return value;
  const shown = typeof value === "string" ? `"${value}"` : typeof value;
  throw new DomainError("invalid_argument", `${field}: ${shown} is not an aging basis (expected "due" or "document")`, {
    field,
  });
}

/**
 * Validates bucket edges: an array of strictly increasing positive whole
 * numbers, or the same written as text ("30,60,90,120", as a query string or
 * a workbook setting carries it).
 */
export function parseAgingEdges(value: unknown, field = "edges"): readonly number[] {
  let candidates: readonly unknown[];
  if (typeof value === "string") {
    candidates = value.split(",").map((part, i) => {
      const text = part.trim();
      if (!/^\d{1,6}$/.test(text)) {
        throw new DomainError(
          "invalid_argument",
          `${field}[${i}]: "${text}" is not a whole number of days (write edges like "30,60,90,120")`,
          { field },
        );
      }
      return Number(text);
    });
  } else if (Array.isArray(value)) {
    candidates = value as readonly unknown[];
  } else {
    throw new DomainError("invalid_argument", `${field} must be a list of day counts such as [30, 60, 90, 120]`, {
      field,
    });
  }
  if (candidates.length === 0) {
    throw new DomainError("invalid_argument", `${field} must have at least one bucket edge`, { field });
  }
  const edges: number[] = [];
  for (const [i, edge] of candidates.entries()) {
    if (typeof edge !== "number" || !Number.isSafeInteger(edge) || edge <= 0) {
      throw new DomainError(
        "invalid_argument",
        `${field}[${i}]: ${String(edge)} is not a positive whole number of days`,
        { field },
      );
    }
    const previous = edges[i - 1];
    if (previous !== undefined && edge <= previous) {
      throw new DomainError(
        "invalid_argument",
        `${field}[${i}]: ${edge} is not greater than ${field}[${i - 1}] (${previous}); bucket edges must be strictly increasing`,
        { field },
      );
    }
    edges.push(edge);
  }
  return edges;
}

// ---------------------------------------------------------------------------
// Buckets

/** The ordered buckets for `edges` on `basis`: due [30,60,90,120] → current, 1-30, 31-60, 61-90, 91-120, over-120. */
export function agingBuckets(
  edges: readonly number[] = DEFAULT_AGING_EDGES,
  basis: AgingBasis = "due",
): readonly AgingBucket[] {
  return bucketsOf(parseAgingEdges(edges), parseAgingBasis(basis));
}

/** The key of the bucket that `days` falls in. On the document basis `days` must not be negative. */
export function bucketFor(
  days: number,
  edges: readonly number[] = DEFAULT_AGING_EDGES,
  basis: AgingBasis = "due",
): string {
  return keyFor(days, bucketsOf(parseAgingEdges(edges), parseAgingBasis(basis)), () => "days");
}

function bucketsOf(edges: readonly number[], basis: AgingBasis): AgingBucket[] {
  const buckets: AgingBucket[] = [];
  let lowest = 0;
  if (basis === "due") {
    buckets.push({ key: "current", label: "Current", minDays: null, maxDays: 0 });
    lowest = 1;
  }
  for (const edge of edges) {
    buckets.push({ key: `${lowest}-${edge}`, label: `${lowest}–${edge}`, minDays: lowest, maxDays: edge });
    lowest = edge + 1;
  }
  const last = lowest - 1;
  buckets.push({ key: `over-${last}`, label: `Over ${last}`, minDays: lowest, maxDays: null });
  return buckets;
}

/** `what` names the day count in an error; a function, so the hot path builds no message text. */
function keyFor(days: number, buckets: readonly AgingBucket[], what: () => string): string {
  if (!Number.isSafeInteger(days)) {
    throw new DomainError("invalid_argument", `${what()} must be a whole number of days, got ${days}`, {
      field: "days",
    });
  }
  for (const bucket of buckets) {
    if (bucket.minDays !== null && days < bucket.minDays) break;
    if (bucket.maxDays === null || days <= bucket.maxDays) return bucket.key;
  }
  // Only the document basis has a lower bound (0): an age below it means a
  // document dated after the as-of date, which does not exist yet.
  throw new DomainError(
    "invalid_argument",
    `${what()} is ${days}: on the document basis an age cannot be negative (the item is dated after the as-of date)`,
    { field: "days" },
  );
}

// ---------------------------------------------------------------------------
// Open items as of a date

interface DocumentBalance {
  readonly document: ArDocument;
  /** Σ of what reduced it as of D; null until something did (saves a Money per untouched document). */
  reduction: Money | null;
}

interface ReceiptBalance {
  readonly receipt: Receipt;
  applied: Money | null;
  /** Earliest reversal date: from then on the receipt holds no cash. */
  reversedOn: IsoDate | null;
}

function plus(total: Money | null, amount: Money): Money {
  return total === null ? amount : total.add(amount);
}

function expectCurrency(amount: Money, currency: CurrencyCode, what: string): void {
  if (amount.currency !== currency) {
    throw new DomainError(
      "currency_mismatch",
      `${what} is in ${amount.currency} but must be in ${currency}: amounts in different currencies are never combined`,
      { details: { expected: currency, actual: amount.currency } },
    );
  }
}

/**
 * Everything open as of the end of `asOf`: invoices and debit memos with a
 * balance, unused credit memos and unapplied cash (negative). Documents come
 * first in snapshot order, then receipts in snapshot order.
 *
 * Throws `invalid_date` for a bad as-of date, `not_found` for a row that
 * points at a document or receipt missing from the snapshot,
 * `currency_mismatch` when an application or write-off is in another
 * currency than its document or source, and `invalid_argument` for
 * duplicate ids or an application that does not go from a receipt or credit
 * memo to an invoice or debit memo.
 */
export function openItemsAsOf(snapshot: LedgerSnapshot, options: { readonly asOf: string }): OpenItem[] {
  const asOf = parseIsoDate(options.asOf, "asOf");

  const documents = new Map<string, DocumentBalance>();
  for (const document of snapshot.documents) {
    if (documents.has(document.id)) {
      throw new DomainError("invalid_argument", `document id "${document.id}" appears more than once in the snapshot`, {
        field: "documents",
      });
    }
    expectCurrency(document.amount, document.currency, `document ${document.id} amount`);
    documents.set(document.id, { document, reduction: null });
  }

  const receipts = new Map<string, ReceiptBalance>();
  for (const receipt of snapshot.receipts) {
    if (receipts.has(receipt.id)) {
      throw new DomainError("invalid_argument", `receipt id "${receipt.id}" appears more than once in the snapshot`, {
        field: "receipts",
      });
    }
    expectCurrency(receipt.amount, receipt.currency, `receipt ${receipt.id} amount`);
    receipts.set(receipt.id, { receipt, applied: null, reversedOn: null });
  }

  for (const application of snapshot.applications) {
    const what = `application ${application.id}`;
    const target = documents.get(application.documentId);
    if (target === undefined) {
      throw new DomainError(
        "not_found",
        `${what} applies to document "${application.documentId}", which is not in the snapshot`,
        {
          field: "documentId",
        },
      );
    }
    if (target.document.type === "creditMemo") {
      throw new DomainError(
        "invalid_argument",
        `${what} applies to credit memo ${target.document.id}; applications go to invoices and debit memos`,
        { field: "documentId" },
      );
    }
    if (application.currency !== target.document.currency) {
      throw new DomainError(
        "currency_mismatch",
        `${what} is in ${application.currency} but document ${target.document.id} is in ${target.document.currency}`,
        { field: "currency", details: { expected: target.document.currency, actual: application.currency } },
      );
    }
    expectCurrency(application.amount, application.currency, `${what} amount`);
    expectCurrency(application.discount, application.currency, `${what} discount`);
    expectCurrency(application.writeOff, application.currency, `${what} writeOff`);

    const counts = application.date <= asOf;
    if (application.source.kind === "receipt") {
      const source = receipts.get(application.source.id);
      if (source === undefined) {
        throw new DomainError(
          "not_found",
          `${what} comes from receipt "${application.source.id}", which is not in the snapshot`,
          {
            field: "source",
          },
        );
      }
      if (source.receipt.currency !== application.currency) {
        throw new DomainError(
          "currency_mismatch",
          `${what} is in ${application.currency} but its receipt ${source.receipt.id} is in ${source.receipt.currency}`,
          { field: "currency", details: { expected: source.receipt.currency, actual: application.currency } },
        );
      }
      if (counts) source.applied = plus(source.applied, application.amount);
    } else {
      const source = documents.get(application.source.id);
      if (source === undefined) {
        throw new DomainError(
          "not_found",
          `${what} comes from credit memo "${application.source.id}", which is not in the snapshot`,
          { field: "source" },
        );
      }
      if (source.document.type !== "creditMemo") {
        throw new DomainError(
          "invalid_argument",
          `${what} names ${source.document.type} ${source.document.id} as its credit memo source`,
          { field: "source" },
        );
      }
      if (source.document.currency !== application.currency) {
        throw new DomainError(
          "currency_mismatch",
          `${what} is in ${application.currency} but its credit memo ${source.document.id} is in ${source.document.currency}`,
          { field: "currency", details: { expected: source.document.currency, actual: application.currency } },
        );
      }
      if (counts) source.reduction = plus(source.reduction, application.amount);
    }
    if (counts) {
      target.reduction = plus(target.reduction, application.amount.add(application.discount).add(application.writeOff));
    }
  }

  for (const writeOff of snapshot.writeOffs) {
    const target = documents.get(writeOff.documentId);
    if (target === undefined) {
      throw new DomainError(
        "not_found",
        `write-off ${writeOff.id} is of document "${writeOff.documentId}", which is not in the snapshot`,
        {
          field: "documentId",
        },
      );
    }
    if (writeOff.currency !== target.document.currency) {
      throw new DomainError(
        "currency_mismatch",
        `write-off ${writeOff.id} is in ${writeOff.currency} but document ${target.document.id} is in ${target.document.currency}`,
        { field: "currency", details: { expected: target.document.currency, actual: writeOff.currency } },
      );
    }
    expectCurrency(writeOff.amount, writeOff.currency, `write-off ${writeOff.id} amount`);
    if (writeOff.date <= asOf) target.reduction = plus(target.reduction, writeOff.amount);
  }

  for (const reversal of snapshot.receiptReversals) {
    const target = receipts.get(reversal.receiptId);
    if (target === undefined) {
      throw new DomainError(
        "not_found",
        `receipt reversal ${reversal.id} is of receipt "${reversal.receiptId}", which is not in the snapshot`,
        {
          field: "receiptId",
        },
      );
    }
    if (target.reversedOn === null || reversal.date < target.reversedOn) target.reversedOn = reversal.date;
  }

  const items: OpenItem[] = [];
  for (const { document, reduction } of documents.values()) {
    if (document.documentDate > asOf) continue;
    const remaining = reduction === null ? document.amount : document.amount.subtract(reduction);
    if (remaining.isZero()) continue;
    const credit = document.type === "creditMemo";
    items.push({
      kind: document.type,
      id: document.id,
      customerId: document.customerId,
      number: document.number,
      date: document.documentDate,
      dueDate: credit ? document.documentDate : document.dueDate,
      currency: document.currency,
      originalAmount: credit ? document.amount.negate() : document.amount,
      openAmount: credit ? remaining.negate() : remaining,
      disputed: document.disputed,
    });
  }
  for (const { receipt, applied, reversedOn } of receipts.values()) {
    if (receipt.date > asOf) continue;
    if (reversedOn !== null && reversedOn <= asOf) continue;
    const unapplied = applied === null ? receipt.amount : receipt.amount.subtract(applied);
    if (unapplied.isZero()) continue;
    items.push({
      kind: "unappliedCash",
      id: receipt.id,
      customerId: receipt.customerId,
      number: receipt.reference,
      date: receipt.date,
      dueDate: receipt.date,
      currency: receipt.currency,
      originalAmount: receipt.amount.negate(),
      openAmount: unapplied.negate(),
      disputed: false,
    });
  }
  return items;
}

// ---------------------------------------------------------------------------
// Aging

export interface AgingOptions {
  readonly asOf: string;
  readonly basis?: AgingBasis;
  readonly edges?: readonly number[];
}

/**
 * Adds days and bucket to each item. An item dated after `asOf` is an error
 * (`invalid_argument`): it means the items were taken as of a later date.
 */
export function ageOpenItems(items: readonly OpenItem[], options: AgingOptions): AgedItem[] {
  const asOf = parseIsoDate(options.asOf, "asOf");
  const basis = parseAgingBasis(options.basis ?? "due");
  const buckets = bucketsOf(parseAgingEdges(options.edges ?? DEFAULT_AGING_EDGES), basis);
  const asOfDay = toDayNumber(asOf);
  // A ledger has far fewer distinct dates than items: convert each once.
  const dayNumbers = new Map<IsoDate, number>();
  const dayNumberOf = (date: IsoDate): number => {
    let dayNumber = dayNumbers.get(date);
    if (dayNumber === undefined) {
      dayNumber = toDayNumber(date);
      dayNumbers.set(date, dayNumber);
    }
    return dayNumber;
  };
  return items.map((item) => {
    if (item.date > asOf) {
      throw new DomainError(
        "invalid_argument",
        `${item.kind} ${item.id} is dated ${item.date}, after the as-of date ${asOf}: it did not exist yet`,
        { field: "asOf" },
      );
    }
    const days = asOfDay - dayNumberOf(basis === "due" ? item.dueDate : item.date);
    return { ...item, days, bucket: keyFor(days, buckets, () => `days of ${item.kind} ${item.id}`) };
  });
}

// ---------------------------------------------------------------------------
// Summary

export interface SummaryOptions {
  /** Leave disputed items out of customer rows and totals (they are still reported in `disputed`). */
  readonly excludeDisputed?: boolean;
  /** The basis and edges the items were aged with, so every bucket gets a column (defaults as in `ageOpenItems`). */
  readonly basis?: AgingBasis;
  readonly edges?: readonly number[];
}

interface RowAccumulator {
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly buckets: Map<string, Money>;
  total: Money;
  itemCount: number;
}

function newAccumulator(customerId: string, currency: CurrencyCode, buckets: readonly AgingBucket[]): RowAccumulator {
  const zero = Money.zero(currency);
  return {
    customerId,
    currency,
    buckets: new Map(buckets.map((bucket) => [bucket.key, zero])),
    total: zero,
    itemCount: 0,
  };
}

function addTo(row: RowAccumulator, item: AgedItem): void {
  const current = row.buckets.get(item.bucket);
  if (current === undefined) {
    throw new DomainError(
      "invalid_argument",
      `${item.kind} ${item.id} is in bucket "${item.bucket}", which is not one of ${[...row.buckets.keys()].join(", ")}: summarize with the basis and edges the items were aged with`,
      { field: "bucket" },
    );
  }
  row.buckets.set(item.bucket, current.add(item.openAmount));
  row.total = row.total.add(item.openAmount);
  row.itemCount += 1;
}

function accumulatorFor(
  rows: Map<string, RowAccumulator>,
  key: string,
  customerId: string,
  currency: CurrencyCode,
  buckets: readonly AgingBucket[],
): RowAccumulator {
  let row = rows.get(key);
  if (row === undefined) {
    row = newAccumulator(customerId, currency, buckets);
    rows.set(key, row);
  }
  return row;
}

function toTotalRow(row: RowAccumulator): AgingTotalRow {
  return {
    currency: row.currency,
    buckets: Object.fromEntries(row.buckets),
    total: row.total,
    itemCount: row.itemCount,
  };
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bucket totals per customer and currency, and per currency overall. Never sums across currencies. */
export function summarizeAging(items: readonly AgedItem[], options: SummaryOptions = {}): AgingSummary {
  const basis = parseAgingBasis(options.basis ?? "due");
  const buckets = bucketsOf(parseAgingEdges(options.edges ?? DEFAULT_AGING_EDGES), basis);
  const excludeDisputed = options.excludeDisputed ?? false;

  const customers = new Map<string, RowAccumulator>();
  const totals = new Map<string, RowAccumulator>();
  const disputed = new Map<string, RowAccumulator>();
  for (const item of items) {
    if (item.openAmount.currency !== item.currency) {
      throw new DomainError(
        "currency_mismatch",
        `${item.kind} ${item.id} says ${item.currency} but its open amount is in ${item.openAmount.currency}`,
        { field: "currency" },
      );
    }
    if (item.disputed) {
      addTo(accumulatorFor(disputed, item.currency, "", item.currency, buckets), item);
      if (excludeDisputed) continue;
    }
    // A currency code is exactly three letters, so this pair key is unambiguous.
    const customerKey = `${item.currency}${item.customerId}`;
    addTo(accumulatorFor(customers, customerKey, item.customerId, item.currency, buckets), item);
    addTo(accumulatorFor(totals, item.currency, "", item.currency, buckets), item);
  }

  const customerRows = [...customers.values()]
    .sort((a, b) => byText(a.customerId, b.customerId) || byText(a.currency, b.currency))
    .map((row) => ({ customerId: row.customerId, ...toTotalRow(row) }));
  const currencyRows = (rows: Map<string, RowAccumulator>): AgingTotalRow[] =>
    [...rows.values()].sort((a, b) => byText(a.currency, b.currency)).map(toTotalRow);

  return {
    basis,
    buckets,
    customers: customerRows,
    totals: currencyRows(totals),
    disputed: currencyRows(disputed),
  };
}
