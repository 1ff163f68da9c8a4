import { minorUnits, parseCurrency, type CurrencyCode } from "./currency.js";
import { parseIsoDate, type IsoDate } from "./dates.js";
import { DomainError, isDomainError } from "./errors.js";
import type { ArDocument, DocumentType } from "./ledger.js";
import { Money, parseDecimal } from "./money.js";
import { assertPaymentTerms, discountAmount, discountDeadline } from "./terms.js";

/**
 * Cash application: spreading a receipt (or a credit memo) over a customer's
 * open items. Two pure functions over plain data:
 * - `validateAllocations` checks allocations a clerk typed and returns every
 *   problem as a value (the change-set validator and the add-in's review
 *   screen show them next to the row);
 * - `suggestAllocations` proposes allocations the way an AR clerk would:
 *   invoices named in the remittance first, then a single item the amount
 *   pays exactly, then oldest due first.
 *
 * Conventions:
 * - The early-payment discount is the terms' percent of the document's open
 *   amount before this application (equal to the invoice amount until
 *   something has been applied), rounded half-up, and only if the payment date
 *   is on or before the discount deadline plus grace days. Suggestions take it
 *   only when they settle the document in full; a credit memo never earns one.
 * - A short pay is written off when the shortfall is within the tolerance.
 *   With both an amount and a percent tolerance the lower limit applies (as
 *   SAP tolerance groups do), and never more than `writeOffLimit`.
 */

export type ApplicationSourceKind = "receipt" | "creditMemo";

/** The parts of a receipt that cash application needs; a ledger `Receipt` fits. */
export interface ReceiptForApplication {
  readonly id: string;
  readonly customerId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  /** Positive amount received. */
  readonly amount: Money;
  /** Check number or bank reference; searched for document numbers. */
  readonly reference?: string;
}

export type ApplicationSource =
  | { readonly kind: "receipt"; readonly receipt: ReceiptForApplication; readonly remittance?: string }
  | { readonly kind: "creditMemo"; readonly document: ArDocument; readonly remittance?: string };

/** A document with its open amount now (after earlier applications, credits and write-offs). */
export interface OpenItemForApplication {
  readonly document: ArDocument;
  readonly open: Money;
}

export interface ApplicationOptions {
  /** Decides whether the early-payment discount is still available. */
  readonly paymentDate: IsoDate;
  /** Days after the discount deadline that still earn the discount (mail float). */
  readonly graceDays?: number;
  /** A short pay up to this much (or this percent of the document's open amount) is suggested as a write-off. */
  readonly writeOffTolerance?: { readonly amount?: Money; readonly percent?: string };
  /** The most a clerk may write off on one document (larger write-offs need a controller). */
  readonly writeOffLimit?: Money;
}

export interface CashApplicationInput {
  readonly source: ApplicationSource;
  /** What the source still has to apply; the source's full amount when omitted. */
  readonly unapplied?: Money;
  /** The customer's open items; items of other customers or currencies are refused or skipped, never applied. */
  readonly openItems: readonly OpenItemForApplication[];
  readonly options: ApplicationOptions;
}

/** An allocation as typed by a clerk or sent in a change set: amounts as Money or decimal strings. */
export interface AllocationRequest {
  readonly documentId: string;
  readonly amount: Money | string;
  readonly discount?: Money | string;
  readonly writeOff?: Money | string;
  readonly writeOffReason?: string | null;
}

/** A checked allocation: cash (or credit) applied, discount taken and write-off, all in the source's currency. */
export interface Allocation {
  readonly documentId: string;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  readonly writeOffReason: string | null;
}

export type AllocationErrorCode =
  | "document_not_found"
  | "wrong_customer"
  | "not_applicable"
  | "currency_mismatch"
  | "invalid_amount"
  | "too_many_decimals"
  | "duplicate_document"
  | "exceeds_open"
  | "exceeds_unapplied"
  | "discount_not_allowed"
  | "write_off_reason_required"
  | "write_off_over_limit";

export interface AllocationError {
  /** Position in the allocation list. */
  readonly index: number;
  readonly field: "documentId" | "amount" | "discount" | "writeOff" | "writeOffReason";
  readonly code: AllocationErrorCode;
  readonly message: string;
}

export type AllocationValidation =
  | { readonly ok: true; readonly allocations: readonly Allocation[] }
  | { readonly ok: false; readonly errors: readonly AllocationError[] };

export type SuggestionRule = "referencedInvoices" | "exactAmount" | "oldestFirst";

export interface AllocationSuggestion {
  readonly allocations: readonly Allocation[];
  /** What the source keeps after these allocations. */
  readonly unapplied: Money;
  readonly rule: SuggestionRule;
  /** One line per decision, for the clerk: "INV-1042 in reference; amount equals open 1,250.00 less 2% discount 25.00". */
  readonly reasons: readonly string[];
}

export const SHORT_PAY_REASON = "short pay within tolerance";

// ---------------------------------------------------------------------------
// Reading the input: wrong shapes are bugs in the caller, so they throw.

interface Context {
  readonly kind: ApplicationSourceKind;
  readonly sourceId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly unapplied: Money;
  readonly referenceText: string;
  /** By document id, in input order. */
  readonly items: ReadonlyMap<string, OpenItemForApplication>;
  readonly paymentDate: IsoDate;
  readonly graceDays: number;
  readonly toleranceAmount: Money | null;
  readonly tolerancePercent: string | null;
  readonly writeOffLimit: Money | null;
}

function invalid(
  field: string,
  message: string,
  code: "invalid_argument" | "invalid_amount" = "invalid_argument",
): never {
  throw new DomainError(code, `${field} ${message}`, { field });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function readText(value: unknown, field: string): string {
  if (typeof value !== "string") invalid(field, "must be text");
  return value;
}

function readMoney(value: unknown, field: string, currency: CurrencyCode): Money {
  if (!(value instanceof Money)) invalid(field, "must be a Money amount", "invalid_amount");
  if (value.currency !== currency) {
    throw new DomainError("currency_mismatch", `${field} is in ${value.currency}, expected ${currency}`, { field });
  }
  return value;
}

const DOCUMENT_TYPES: readonly DocumentType[] = ["invoice", "debitMemo", "creditMemo"];

function readDocument(value: unknown, field: string): ArDocument {
  if (!isRecord(value)) invalid(field, "must be a document");
  readText(value.id, `${field}.id`);
  readText(value.customerId, `${field}.customerId`);
  readText(value.number, `${field}.number`);
  if (!DOCUMENT_TYPES.includes(value.type as DocumentType)) {
    invalid(`${field}.type`, `must be one of ${DOCUMENT_TYPES.join(", ")}`);
  }
  const currency = parseCurrency(value.currency, `${field}.currency`);
  readMoney(value.amount, `${field}.amount`, currency);
  parseIsoDate(value.documentDate, `${field}.documentDate`);
  parseIsoDate(value.dueDate, `${field}.dueDate`);
  if (value.terms !== null) assertPaymentTerms(value.terms, `${field}.terms`);
  if (typeof value.disputed !== "boolean") invalid(`${field}.disputed`, "must be true or false");
  return value as unknown as ArDocument;
}

function readContext(input: unknown): Context {
  if (!isRecord(input)) invalid("input", "must be an object with source, openItems and options");
  const source = input.source;
  if (!isRecord(source)) invalid("source", "must be { kind, receipt } or { kind, document }");
  const remittance = source.remittance === undefined ? "" : readText(source.remittance, "source.remittance");

  let kind: ApplicationSourceKind;
  let sourceId: string;
  let customerId: string;
  let currency: CurrencyCode;
  let amount: Money;
  let referenceText: string;
  if (source.kind === "receipt") {
    const receipt = source.receipt;
    if (!isRecord(receipt)) invalid("source.receipt", "must be a receipt");
    kind = "receipt";
    sourceId = readText(receipt.id, "source.receipt.id");
    customerId = readText(receipt.customerId, "source.receipt.customerId");
    parseIsoDate(receipt.date, "source.receipt.date");
    currency = parseCurrency(receipt.currency, "source.receipt.currency");
    amount = readMoney(receipt.amount, "source.receipt.amount", currency);
    const reference = receipt.reference === undefined ? "" : readText(receipt.reference, "source.receipt.reference");
    referenceText = `${reference} ${remittance}`;
  } else if (source.kind === "creditMemo") {
    const document = readDocument(source.document, "source.document");
    if (document.type !== "creditMemo") {
      invalid("source.document.type", `is "${document.type}"; only a credit memo can be applied like a receipt`);
    }
    kind = "creditMemo";
    sourceId = document.id;
    customerId = document.customerId;
    currency = document.currency;
    amount = document.amount;
    referenceText = remittance;
  } else {
    invalid("source.kind", 'must be "receipt" or "creditMemo"');
  }
  if (!amount.isPositive()) invalid(`source amount ${amount.toString()}`, "must be more than 0", "invalid_amount");

  const unapplied = input.unapplied === undefined ? amount : readMoney(input.unapplied, "unapplied", currency);
  if (unapplied.isNegative() || unapplied.gt(amount)) {
    invalid(
      "unapplied",
      `${unapplied.toString()} must be from 0 to the source amount ${amount.toString()}`,
      "invalid_amount",
    );
  }

  if (!Array.isArray(input.openItems)) invalid("openItems", "must be a list of { document, open }");
  const items = new Map<string, OpenItemForApplication>();
  (input.openItems as unknown[]).forEach((item, i) => {
    const field = `openItems[${i}]`;
    if (!isRecord(item)) invalid(field, "must be { document, open }");
    const document = readDocument(item.document, `${field}.document`);
    const open = readMoney(item.open, `${field}.open`, document.currency);
    if (open.isNegative()) invalid(`${field}.open`, `${open.toString()} must not be negative`, "invalid_amount");
    if (items.has(document.id)) invalid(`${field}.document.id`, `"${document.id}" is listed twice`);
    items.set(document.id, { document, open });
  });

  const options = input.options;
  if (!isRecord(options)) invalid("options", "must be an object with paymentDate");
  const paymentDate = parseIsoDate(options.paymentDate, "options.paymentDate");
  const graceDays = options.graceDays ?? 0;
  if (!Number.isInteger(graceDays) || (graceDays as number) < 0) {
    invalid("options.graceDays", "must be a whole number of days, 0 or more");
  }
  let toleranceAmount: Money | null = null;
  let tolerancePercent: string | null = null;
  const tolerance = options.writeOffTolerance;
  if (tolerance !== undefined) {
    if (!isRecord(tolerance)) invalid("options.writeOffTolerance", "must be { amount?, percent? }");
    if (tolerance.amount !== undefined) {
      toleranceAmount = readMoney(tolerance.amount, "options.writeOffTolerance.amount", currency);
      if (toleranceAmount.isNegative())
        invalid("options.writeOffTolerance.amount", "must not be negative", "invalid_amount");
    }
    if (tolerance.percent !== undefined) {
      const percent = parseDecimal(tolerance.percent, "options.writeOffTolerance.percent");
      if (percent.isNegative() || percent.gt(100))
        invalid("options.writeOffTolerance.percent", "must be from 0 to 100");
      tolerancePercent = percent.toString();
    }
  }
  let writeOffLimit: Money | null = null;
  if (options.writeOffLimit !== undefined) {
    writeOffLimit = readMoney(options.writeOffLimit, "options.writeOffLimit", currency);
    if (writeOffLimit.isNegative()) invalid("options.writeOffLimit", "must not be negative", "invalid_amount");
  }

  return {
    kind,
    sourceId,
    customerId,
    currency,
    unapplied,
    referenceText,
    items,
    paymentDate,
    graceDays: graceDays as number,
    toleranceAmount,
    tolerancePercent,
    writeOffLimit,
  };
}

// ---------------------------------------------------------------------------
// Shared rules

/** The discount this source may take on an item at the payment date; zero when none. */
function allowedDiscount(ctx: Context, item: OpenItemForApplication): Money {
  const zero = Money.zero(item.open.currency);
  const terms = item.document.terms;
  if (ctx.kind === "creditMemo" || terms === null) return zero;
  const discount = discountAmount({
    terms,
    amount: item.open,
    documentDate: item.document.documentDate,
    paymentDate: ctx.paymentDate,
    graceDays: ctx.graceDays,
  });
  // A discount that would leave nothing to pay (a one-cent balance at 50%+) is not a discount but a write-off.
  return discount.gte(item.open) ? zero : discount;
}

/** Why no (or only a smaller) discount is allowed, for messages. */
function discountRefusal(ctx: Context, item: OpenItemForApplication, allowed: Money): string {
  const { document } = item;
  if (ctx.kind === "creditMemo") return "a credit memo application takes no discount";
  if (document.terms?.discount == null) {
    return `${document.number}'s terms ${document.terms?.code ?? "(none)"} give no early-payment discount`;
  }
  if (allowed.isZero()) {
    const deadline = discountDeadline(document.terms, document.documentDate);
    const grace = ctx.graceDays === 0 ? "" : ` + ${ctx.graceDays} grace day${ctx.graceDays === 1 ? "" : "s"}`;
    return `payment date ${ctx.paymentDate} is after ${document.number}'s discount deadline ${deadline ?? ""}${grace}`;
  }
  return `${document.terms.discount.percent}% of open ${item.open.format()} allows at most ${allowed.format()}`;
}

/** The largest short pay written off without asking, or null when no tolerance is set. */
function shortPayTolerance(ctx: Context, open: Money): Money | null {
  const limits: Money[] = [];
  if (ctx.toleranceAmount !== null) limits.push(ctx.toleranceAmount);
  // Rounded down: a tolerance is an "at most" limit.
  if (ctx.tolerancePercent !== null) limits.push(open.percentage(ctx.tolerancePercent, "down"));
  if (limits.length === 0) return null;
  let tolerance = limits.reduce((a, b) => a.min(b));
  if (ctx.writeOffLimit !== null) tolerance = tolerance.min(ctx.writeOffLimit);
  return tolerance;
}

// ---------------------------------------------------------------------------
// Validation

/**
 * Checks explicit allocations of the source against the open items. Expected
 * rejections come back as values, each naming the allocation index and field;
 * only malformed input (wrong types) throws a DomainError.
 */
export function validateAllocations(
  input: CashApplicationInput & { readonly allocations: readonly AllocationRequest[] },
): AllocationValidation {
  const ctx = readContext(input);
  const requests: unknown = input.allocations;
  if (!Array.isArray(requests)) invalid("allocations", "must be a list");

  const errors: AllocationError[] = [];
  const allocations: Allocation[] = [];
  const firstIndexOf = new Map<string, number>();
  const zero = Money.zero(ctx.currency);
  let applied = zero;
  let overReported = false;
  const sourceName = ctx.kind === "receipt" ? "receipt" : "credit memo";

  (requests as unknown[]).forEach((raw, index) => {
    const at = `allocations[${index}]`;
    if (!isRecord(raw)) invalid(at, "must be { documentId, amount, discount?, writeOff?, writeOffReason? }");
    const documentId = readText(raw.documentId, `${at}.documentId`);
    for (const name of ["amount", "discount", "writeOff"] as const) {
      const value = raw[name];
      const optional = name !== "amount";
      if (!(value instanceof Money) && typeof value !== "string" && !(optional && value === undefined)) {
        invalid(`${at}.${name}`, 'must be a Money or a decimal string such as "100.00"', "invalid_amount");
      }
    }
    const reasonValue = raw.writeOffReason;
    if (reasonValue !== undefined && reasonValue !== null && typeof reasonValue !== "string") {
      invalid(`${at}.writeOffReason`, "must be text or null");
    }

    const push = (field: AllocationError["field"], code: AllocationErrorCode, message: string): void => {
      errors.push({ index, field, code, message });
    };

    const item = ctx.items.get(documentId);
    if (item === undefined) {
      push("documentId", "document_not_found", `document "${documentId}" is not among the open items`);
      return;
    }
    const { document, open } = item;
    const first = firstIndexOf.get(documentId);
    if (first !== undefined) {
      push("documentId", "duplicate_document", `${document.number} is already allocated at allocation ${first}`);
      return;
    }
    firstIndexOf.set(documentId, index);

    let usable = true;
    if (document.customerId !== ctx.customerId) {
      push(
        "documentId",
        "wrong_customer",
        `${document.number} belongs to customer ${document.customerId}, not ${ctx.customerId}`,
      );
      usable = false;
    }
    if (document.type === "creditMemo") {
      push(
        "documentId",
        "not_applicable",
        document.id === ctx.sourceId
          ? `${document.number} is the credit memo being applied; it cannot be applied to itself`
          : `${document.number} is a credit memo; apply it as a source, not as a target`,
      );
      usable = false;
    }
    if (document.currency !== ctx.currency) {
      push(
        "documentId",
        "currency_mismatch",
        `${document.number} is in ${document.currency}, the ${sourceName} in ${ctx.currency}; convert explicitly first`,
      );
      return;
    }

    const amount = readAllocationAmount({ value: raw.amount, field: "amount", currency: ctx.currency, push });
    const discount = readAllocationAmount({
      value: raw.discount ?? zero,
      field: "discount",
      currency: ctx.currency,
      push,
    });
    const writeOff = readAllocationAmount({
      value: raw.writeOff ?? zero,
      field: "writeOff",
      currency: ctx.currency,
      push,
    });
    if (amount !== null && !amount.isPositive()) {
      push("amount", "invalid_amount", `amount ${amount.format()} must be more than 0`);
    }
    if (discount?.isNegative() === true) {
      push("discount", "invalid_amount", `discount ${discount.format()} must not be negative`);
    }
    if (writeOff?.isNegative() === true) {
      push("writeOff", "invalid_amount", `write-off ${writeOff.format()} must not be negative`);
    }

    if (amount !== null) {
      applied = applied.add(amount);
      if (!overReported && applied.gt(ctx.unapplied)) {
        push(
          "amount",
          "exceeds_unapplied",
          `allocations up to here total ${applied.format()}, more than the ${sourceName}'s unapplied ${ctx.unapplied.format()}`,
        );
        overReported = true;
      }
    }
    if (!usable || amount === null || discount === null || writeOff === null) return;
    if (!amount.isPositive() || discount.isNegative() || writeOff.isNegative()) return;

    const settled = amount.add(discount).add(writeOff);
    if (settled.gt(open)) {
      push(
        "amount",
        "exceeds_open",
        `${document.number}: amount ${amount.format()} + discount ${discount.format()} + write-off ${writeOff.format()} = ${settled.format()}, more than its open ${open.format()}`,
      );
    }
    const allowed = allowedDiscount(ctx, item);
    if (discount.gt(allowed)) {
      push(
        "discount",
        "discount_not_allowed",
        `discount ${discount.format()} is not allowed: ${discountRefusal(ctx, item, allowed)}`,
      );
    }
    const reason = typeof reasonValue === "string" && reasonValue.trim() !== "" ? reasonValue.trim() : null;
    if (writeOff.isPositive()) {
      if (reason === null) {
        push(
          "writeOffReason",
          "write_off_reason_required",
          `write-off ${writeOff.format()} on ${document.number} needs a reason`,
        );
      }
      if (ctx.writeOffLimit !== null && writeOff.gt(ctx.writeOffLimit)) {
        push(
          "writeOff",
          "write_off_over_limit",
          `write-off ${writeOff.format()} on ${document.number} is more than the limit ${ctx.writeOffLimit.format()}`,
        );
      }
    }
    allocations.push({ documentId, amount, discount, writeOff, writeOffReason: writeOff.isPositive() ? reason : null });
  });

  return errors.length === 0 ? { ok: true, allocations } : { ok: false, errors };
}

function readAllocationAmount({
  value,
  field,
  currency,
  push,
}: {
  value: unknown;
  field: "amount" | "discount" | "writeOff";
  currency: CurrencyCode;
  push: (field: AllocationError["field"], code: AllocationErrorCode, message: string) => void;
}): Money | null {
  if (value instanceof Money) {
    if (value.currency !== currency) {
      push(field, "currency_mismatch", `${field} is in ${value.currency}, the allocation in ${currency}`);
      return null;
    }
    return value;
  }
  const text = value as string;
  const match = /^-?\d+(?:\.(\d+))?$/.exec(text);
  if (match === null) {
    push(field, "invalid_amount", `${field} "${text}" is not a decimal amount such as "1234.50"`);
    return null;
  }
  const digits = minorUnits(currency);
  if ((match[1] ?? "").replace(/0+$/, "").length > digits) {
    push(
      field,
      "too_many_decimals",
      `${field} "${text}" has more than ${digits} decimal places, the most ${currency} allows`,
    );
    return null;
  }
  try {
    return Money.parse(text, currency, field);
  } catch (error) {
    // Only the size limit is left to fail here; it is a rejection of the value, not a bug.
    if (!isDomainError(error)) throw error;
    push(field, "invalid_amount", error.message);
    return null;
  }
}

// ---------------------------------------------------------------------------
// Suggestions

/**
 * Reduces a document number, or one word of remittance text, to what
 * identifies it: "INV-001042", "#1042", "inv1042" and "Invoice 1042" all give
 * "1042" (case, punctuation, an "INV"/"INVOICE" prefix and leading zeros do not
 * count). Words without a digit give "" and match nothing.
 */
export function referenceKey(text: string): string {
  const key = text
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .replace(/^(?:INVOICE|INV)/, "")
    .replace(/^0+/, "");
  return /\d/.test(key) ? key : "";
}

function referencedKeys(text: string): Set<string> {
  // Commas and slashes separate listed numbers ("1042,1043", "1042/1043"); hyphens and dots stay inside one.
  return new Set(
    text
      .split(/[\s,;/&+()[\]]+/)
      .map(referenceKey)
      .filter((key) => key !== ""),
  );
}

function byDueDate(a: OpenItemForApplication, b: OpenItemForApplication): number {
  const x = a.document;
  const y = b.document;
  return (
    x.dueDate.localeCompare(y.dueDate) ||
    x.documentDate.localeCompare(y.documentDate) ||
    x.number.localeCompare(y.number) ||
    x.id.localeCompare(y.id)
  );
}

interface Settlement {
  readonly allocation: Allocation;
  readonly description: string;
}

/** How much of `cash` goes to one item, and why in words. */
function settle(ctx: Context, item: OpenItemForApplication, cash: Money): Settlement {
  const { document, open } = item;
  const zero = Money.zero(ctx.currency);
  const discount = allowedDiscount(ctx, item);
  const expected = open.subtract(discount);
  const lessDiscount = discount.isZero()
    ? ""
    : ` less ${document.terms?.discount?.percent ?? ""}% discount ${discount.format()}`;
  const allocate = (amount: Money, taken: Money, writeOff = zero): Allocation => ({
    documentId: document.id,
    amount,
    discount: taken,
    writeOff,
    writeOffReason: writeOff.isPositive() ? SHORT_PAY_REASON : null,
  });

  if (cash.equals(open) && discount.isPositive()) {
    // The customer paid the gross amount inside the window: record what was paid rather than
    // take the discount and leave its size as unapplied cash.
    return {
      allocation: allocate(open, zero),
      description: `amount equals open ${open.format()} (paid in full without the discount)`,
    };
  }
  if (cash.gte(expected)) {
    const verb = cash.equals(expected) ? "amount equals open" : "settles open";
    return {
      allocation: allocate(expected, discount),
      description: `${verb} ${open.format()}${lessDiscount}`,
    };
  }
  const shortfall = expected.subtract(cash);
  const tolerance = shortPayTolerance(ctx, open);
  if (tolerance !== null && shortfall.lte(tolerance)) {
    return {
      allocation: allocate(cash, discount, shortfall),
      description: `short pay of open ${open.format()}${lessDiscount}: ${cash.format()} paid, ${shortfall.format()} written off (within tolerance ${tolerance.format()})`,
    };
  }
  const why =
    tolerance === null
      ? "no short-pay tolerance is set"
      : `short ${shortfall.format()} is more than the tolerance ${tolerance.format()}`;
  const noDiscount = discount.isZero() ? "" : "; no discount on a partial payment";
  return {
    allocation: allocate(cash, zero),
    description: `partial payment ${cash.format()} of open ${open.format()}; ${open.subtract(cash).format()} stays open (${why})${noDiscount}`,
  };
}

/** Applies cash to items in order until it runs out. */
function applyInOrder({
  ctx,
  items,
  label,
  reportUnreached,
}: {
  ctx: Context;
  items: readonly OpenItemForApplication[];
  label: (item: OpenItemForApplication) => string;
  /** Say so for items the cash did not reach (worth saying for documents the customer named). */
  reportUnreached: boolean;
}): { allocations: Allocation[]; reasons: string[]; left: Money } {
  const allocations: Allocation[] = [];
  const reasons: string[] = [];
  let left = ctx.unapplied;
  for (const item of items) {
    if (!left.isPositive()) {
      if (!reportUnreached) break;
      reasons.push(`${label(item)}nothing left to apply`);
      continue;
    }
    const { allocation, description } = settle(ctx, item, left);
    allocations.push(allocation);
    reasons.push(`${label(item)}${description}`);
    left = left.subtract(allocation.amount);
  }
  return { allocations, reasons, left };
}

/** Why an item cannot take this source's cash, or null when it can. */
function notApplicable(ctx: Context, item: OpenItemForApplication): string | null {
  const { document, open } = item;
  if (document.customerId !== ctx.customerId) return `belongs to customer ${document.customerId}`;
  if (document.type === "creditMemo") return "is a credit memo";
  if (document.currency !== ctx.currency) return `is in ${document.currency}, not ${ctx.currency}`;
  if (!open.isPositive()) return "has nothing open";
  return null;
}

/**
 * Proposes allocations of the source's unapplied amount, by the first rule
 * that fits: (a) documents whose numbers appear in the reference or
 * remittance text, (b) one open item the amount pays exactly (with or without
 * its early-payment discount; the oldest due if several do), (c) oldest due
 * first, skipping disputed items. Whatever is left stays unapplied.
 */
export function suggestAllocations(input: CashApplicationInput): AllocationSuggestion {
  const ctx = readContext(input);
  const all = [...ctx.items.values()];
  const candidates = all.filter((item) => notApplicable(ctx, item) === null).sort(byDueDate);
  const zero = Money.zero(ctx.currency);

  const finish = (
    rule: SuggestionRule,
    result: { allocations: Allocation[]; reasons: string[]; left: Money },
    surplus: string,
  ) => {
    const reasons = [...result.reasons];
    if (result.left.isPositive()) reasons.push(`${result.left.format()} left unapplied: ${surplus}`);
    return { allocations: result.allocations, unapplied: result.left, rule, reasons };
  };

  if (!ctx.unapplied.isPositive()) {
    return { allocations: [], unapplied: zero, rule: "oldestFirst", reasons: ["nothing left to apply"] };
  }

  // (a) documents named in the reference or remittance
  const keys = referencedKeys(ctx.referenceText);
  const named = all.filter((item) => keys.has(referenceKey(item.document.number))).sort(byDueDate);
  const refused = named.flatMap((item) => {
    const why = notApplicable(ctx, item);
    return why === null ? [] : [`${item.document.number} in reference but ${why}; not applied`];
  });
  const referenced = named.filter((item) => notApplicable(ctx, item) === null);
  if (referenced.length > 0) {
    const result = applyInOrder({
      ctx,
      items: referenced,
      label: (item) => `${item.document.number}${item.document.disputed ? " (disputed)" : ""} in reference; `,
      reportUnreached: true,
    });
    return finish(
      "referencedInvoices",
      { ...result, reasons: [...result.reasons, ...refused] },
      "more than the documents named in the reference",
    );
  }

  // (b) one item the whole amount pays exactly
  const exact = candidates.filter((item) => {
    const discount = allowedDiscount(ctx, item);
    return (
      item.open.equals(ctx.unapplied) || (discount.isPositive() && item.open.subtract(discount).equals(ctx.unapplied))
    );
  });
  const [match] = exact;
  if (match !== undefined) {
    const several = exact.length > 1 ? ` (oldest due of ${exact.length} items this amount pays exactly)` : "";
    const result = applyInOrder({
      ctx,
      items: [match],
      label: (item) => `${item.document.number}${several}: `,
      reportUnreached: false,
    });
    return finish("exactAmount", { ...result, reasons: [...refused, ...result.reasons] }, "more than the item");
  }

  // (c) oldest due first
  const disputed = candidates.filter((item) => item.document.disputed);
  const result = applyInOrder({
    ctx,
    items: candidates.filter((item) => !item.document.disputed),
    label: (item) => `${item.document.number} (due ${item.document.dueDate}): `,
    reportUnreached: false,
  });
  const skipped = disputed.map((item) => `${item.document.number} skipped: disputed`);
  const surplus =
    candidates.length === 0
      ? `no open items for customer ${ctx.customerId} in ${ctx.currency}`
      : "more than all open items";
  return finish("oldestFirst", { ...result, reasons: [...refused, ...result.reasons, ...skipped] }, surplus);
}
