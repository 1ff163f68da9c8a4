/**
 * The Payments pane's arithmetic, pure: rows in, plain data out. Which
 * receipts and credits can be applied (new Payments rows, unapplied cash and
 * credit memos on Open Items), what each has applied so far (the Open Items
 * rows whose From names it), the shared `suggestAllocations` run over that
 * customer's Open Items rows, and the cell values that write a suggestion —
 * or the clerk's choice for a short pay — into Open Items' editable columns.
 *
 * A suggestion only ever fills rows that carry no settlement yet: rows the
 * clerk (or an earlier suggestion) already settles from some source keep
 * what they have, and the suggestion spreads what the receipt has left.
 */
import {
  SHORT_PAY_REASON,
  suggestAllocations,
  type AllocationSuggestion,
  type ApplicationSource,
  type CashApplicationInput,
  type OpenItemForApplication,
} from "../../shared/cash-application.js";
import type { DisputeReason } from "../../shared/changeset.js";
import { isCurrencyCode, type CurrencyCode } from "../../shared/currency.js";
import type { IsoDate } from "../../shared/dates.js";
import { isDomainError } from "../../shared/errors.js";
import type { ArDocument } from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import { parseTerms, type PaymentTerms } from "../../shared/terms.js";
import { cellToDate, cellToMoney, cellToText, moneyToCell, textToCell } from "../excel/cells.js";
import type { CellValue, TableSpec } from "../excel/gateway.js";
import { editedColumns, rewritable, STATUS } from "../sheets/open-items.js";
import { OPEN_ITEMS, PAYMENTS } from "../sheets/specs.js";

type Row = readonly CellValue[];

/** Short pays up to 5.00 (in the receipt's currency) or 1% of the item's open amount, whichever is lower, are written off. */
export const SHORT_PAY_TOLERANCE = { amount: "5", percent: "1" } as const;

/** Reason for a write-off the clerk chooses for a short pay beyond the tolerance. */
export const CHOSEN_SHORT_PAY_REASON = "short pay";

/** Dispute reasons as the Dispute column takes them (the sheet's words, which the change builder reads). */
export const DISPUTE_CHOICES: readonly { readonly code: DisputeReason; readonly label: string }[] = [
  { code: "pricing", label: "pricing" },
  { code: "quantity", label: "quantity" },
  { code: "damagedGoods", label: "damaged goods" },
  { code: "notReceived", label: "not received" },
  { code: "duplicateBilling", label: "duplicate billing" },
  { code: "other", label: "other" },
];

function reader(spec: TableSpec) {
  const index = new Map(spec.columns.map((c, i) => [c.key, i]));
  const cell = (row: Row, key: string): CellValue => {
    const i = index.get(key);
    if (i === undefined) throw new Error(`${spec.table} has no column ${key}`);
    return row[i] ?? null;
  };
  return {
    cell,
    text: (row: Row, key: string) => cellToText(cell(row, key)).trim(),
    index: (key: string): number => {
      const i = index.get(key);
      if (i === undefined) throw new Error(`${spec.table} has no column ${key}`);
      return i;
    },
  };
}

const items = reader(OPEN_ITEMS);
const receipts = reader(PAYMENTS);
const keyOf = (text: string) => text.trim().toLowerCase();

export type SourceKind = "newReceipt" | "unappliedCash" | "creditMemo";

/** A receipt or credit the clerk can apply: a new Payments row, or unapplied cash / a credit memo on Open Items. */
export interface PaymentSource {
  /** "<table>:<row>", stable while the sheets keep their order. */
  readonly key: string;
  readonly kind: SourceKind;
  readonly table: string;
  readonly row: number;
  /** What Open Items' From column names it by: the Payments reference, or the unapplied cash / credit memo number. */
  readonly reference: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly customerId: string | null;
  readonly date: IsoDate | null;
  readonly currency: CurrencyCode | null;
  /** Received (or credited) amount; for unapplied cash and credit memos the open amount, positive. */
  readonly amount: Money | null;
  /** Why suggestions cannot run for it, in the clerk's words; null when they can. */
  readonly blocker: string | null;
}

export interface SheetsForPayments {
  readonly openItems: readonly Row[];
  readonly payments: readonly Row[];
}

function isPosted(row: Row): boolean {
  return receipts.text(row, "id") !== "" && /^\d+$/.test(receipts.text(row, "version"));
}

function isBlankPayment(row: Row): boolean {
  return ["date", "customer", "amount", "currency", "method", "reference"].every((k) => receipts.text(row, k) === "");
}

/** Customers as Open Items knows them, by number (case-insensitive): id, name and the currency of their first row. */
function customersOf(openItems: readonly Row[]): Map<string, { id: string; number: string; name: string; currency: string }> {
  const customers = new Map<string, { id: string; number: string; name: string; currency: string }>();
  for (const row of openItems) {
    const number = items.text(row, "customerNumber");
    if (number === "" || customers.has(keyOf(number))) continue;
    customers.set(keyOf(number), { id: items.text(row, "customerId"), number, name: items.text(row, "customerName"), currency: items.text(row, "currency") });
  }
  return customers;
}

/**
 * Everything that can be applied: Payments rows not yet posted (new
 * receipts), then unapplied cash and credit memos on Open Items. A source
 * that cannot be suggested for says why in `blocker`.
 */
export function listSources(sheets: SheetsForPayments): PaymentSource[] {
  const customers = customersOf(sheets.openItems);
  // How many sources answer to each name: From must name exactly one.
  const names = new Map<string, number>();
  const count = (name: string) => {
    if (name !== "") names.set(keyOf(name), (names.get(keyOf(name)) ?? 0) + 1);
  };
  for (const row of sheets.payments) if (!isBlankPayment(row)) count(receipts.text(row, "reference"));
  for (const row of sheets.openItems) {
    const kind = items.text(row, "kind");
    if (kind === "unappliedCash" || kind === "creditMemo") count(items.text(row, "number"));
  }

  const sources: PaymentSource[] = [];
  sheets.payments.forEach((row, r) => {
    if (isBlankPayment(row) || isPosted(row)) return;
    const problems: string[] = [];
    const customerNumber = receipts.text(row, "customer");
    const customer = customerNumber === "" ? undefined : customers.get(keyOf(customerNumber));
    if (customerNumber === "") problems.push("type the customer number in Customer");
    else if (customer === undefined) problems.push(`customer ${customerNumber} has no open items in this workbook (check the number, or pull)`);
    const currencyText = receipts.text(row, "currency").toUpperCase() || customer?.currency || "";
    const currency = isCurrencyCode(currencyText) ? currencyText : null;
    if (currencyText !== "" && currency === null) problems.push(`"${currencyText}" is not a currency code such as USD`);
    let date: IsoDate | null = null;
    try {
      date = cellToDate(receipts.cell(row, "date"), "Date");
    } catch (error) {
      if (!isDomainError(error)) throw error;
      problems.push(`Date "${receipts.text(row, "date")}" is not a date (YYYY-MM-DD)`);
    }
    if (receipts.text(row, "date") === "") problems.push("type the date it was received in Date");
    let amount: Money | null = null;
    if (currency !== null) {
      try {
        amount = cellToMoney(receipts.cell(row, "amount"), currency, "Amount");
        if (amount !== null && !amount.isPositive()) problems.push(`Amount ${amount.format()} must be more than zero`);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        problems.push(`Amount "${receipts.text(row, "amount")}" is not an amount in ${currency}`);
      }
      if (receipts.text(row, "amount") === "") problems.push("type how much was received in Amount");
    }
    const reference = receipts.text(row, "reference");
    if (reference === "") problems.push("give it a Reference (check number or bank reference): Open Items names the receipt in From by it");
    else if ((names.get(keyOf(reference)) ?? 0) > 1) problems.push(`another payment or credit is also called "${reference}": give it a different Reference`);
    sources.push({
      key: `${PAYMENTS.table}:${r}`,
      kind: "newReceipt",
      table: PAYMENTS.table,
      row: r,
      reference,
      customerNumber: customer?.number ?? customerNumber,
      customerName: customer?.name ?? "",
      customerId: customer?.id ?? null,
      date,
      currency,
      amount,
      blocker: problems.length === 0 ? null : problems.join("; "),
    });
  });

  sheets.openItems.forEach((row, r) => {
    const kind = items.text(row, "kind");
    if (kind !== "unappliedCash" && kind !== "creditMemo") return;
    const currencyText = items.text(row, "currency");
    if (!isCurrencyCode(currencyText)) return;
    const open = readMoney(items.cell(row, "open"), currencyText);
    const reference = items.text(row, "number");
    const duplicate = (names.get(keyOf(reference)) ?? 0) > 1;
    sources.push({
      key: `${OPEN_ITEMS.table}:${r}`,
      kind,
      table: OPEN_ITEMS.table,
      row: r,
      reference,
      customerNumber: items.text(row, "customerNumber"),
      customerName: items.text(row, "customerName"),
      customerId: items.text(row, "customerId"),
      date: readDate(items.cell(row, "documentDate")),
      currency: currencyText,
      amount: open === null ? null : open.abs(),
      blocker: duplicate ? `another payment or credit is also called "${reference}", so From cannot name it` : open === null || open.isZero() ? "nothing open" : null,
    });
  });
  return sources;
}

function readMoney(value: CellValue, currency: CurrencyCode): Money | null {
  try {
    return cellToMoney(value, currency, "amount");
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return null;
  }
}

function readDate(value: CellValue): IsoDate | null {
  try {
    return cellToDate(value, "date");
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return null;
  }
}

export interface SourceTotals {
  readonly amount: Money;
  readonly applied: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  /** Amount less applied; negative when more is applied than the source has. */
  readonly unapplied: Money;
  /** Open Items rows whose From names the source. */
  readonly rows: readonly number[];
  /** Rows naming it whose amounts cannot be read (text in an amount): Check points at them. */
  readonly unreadable: readonly number[];
}

const hasSettlement = (row: Row) => ["apply", "discount", "writeOff"].some((k) => items.text(row, k) !== "");

/** What Open Items applies from a source so far: the rows whose From names it. */
export function sourceTotals(source: PaymentSource, openItems: readonly Row[]): SourceTotals | null {
  if (source.currency === null || source.amount === null) return null;
  const currency = source.currency;
  const zero = Money.zero(currency);
  let applied = zero;
  let discount = zero;
  let writeOff = zero;
  const rows: number[] = [];
  const unreadable: number[] = [];
  openItems.forEach((row, r) => {
    if (source.reference === "" || keyOf(items.text(row, "from")) !== keyOf(source.reference) || !hasSettlement(row)) return;
    rows.push(r);
    const amounts = ["apply", "discount", "writeOff"].map((k) => (items.text(row, k) === "" ? zero : readMoney(items.cell(row, k), currency)));
    const [a, d, w] = amounts;
    if (a == null || d == null || w == null) {
      unreadable.push(r);
      return;
    }
    applied = applied.add(a);
    discount = discount.add(d);
    writeOff = writeOff.add(w);
  });
  return { amount: source.amount, applied, discount, writeOff, unapplied: source.amount.subtract(applied), rows, unreadable };
}

export interface PreparedApplication {
  readonly input: CashApplicationInput;
  /** Open Items row of each candidate document, by document id. */
  readonly rowOf: ReadonlyMap<string, number>;
  /** Candidates by document id, for describing short pays. */
  readonly candidates: ReadonlyMap<string, OpenItemForApplication>;
  /** Rows left out, and why (already settled from another source). */
  readonly skipped: readonly string[];
}

/**
 * The shared cash-application input for a source: the customer's invoices
 * and debit memos on Open Items (open amounts as pulled, terms from the
 * hidden terms column), less rows that already carry a settlement.
 * Returns a reason instead when there is nothing to suggest.
 */
export function prepareApplication(
  source: PaymentSource,
  openItems: readonly Row[],
  options: { readonly today: IsoDate },
): PreparedApplication | { readonly cannot: string } {
  if (source.blocker !== null) return { cannot: source.blocker };
  const totals = sourceTotals(source, openItems);
  if (totals === null || source.currency === null || source.customerId === null) return { cannot: "the receipt is incomplete" };
  if (totals.unreadable.length > 0) return { cannot: `Open Items row ${totals.unreadable.map((r) => r + 2).join(", ")} naming ${source.reference} has an amount that is not a number: fix it first` };
  if (!totals.unapplied.isPositive()) {
    return { cannot: totals.unapplied.isZero() ? `${source.reference} is fully applied` : `${source.reference} is over-applied by ${totals.unapplied.negate().format()}: lower an Apply amount` };
  }
  const currency = source.currency;
  const rowOf = new Map<string, number>();
  const candidates = new Map<string, OpenItemForApplication>();
  const skipped: string[] = [];
  openItems.forEach((row, r) => {
    const kind = items.text(row, "kind");
    if ((kind !== "invoice" && kind !== "debitMemo") || items.text(row, "customerId") !== source.customerId || items.text(row, "currency") !== currency) return;
    const number = items.text(row, "number");
    if (hasSettlement(row)) {
      const from = items.text(row, "from");
      if (keyOf(from) !== keyOf(source.reference)) skipped.push(`${number} skipped: already settled${from === "" ? "" : ` from ${from}`} in this workbook`);
      return;
    }
    const document = documentOf(row, currency);
    const open = readMoney(items.cell(row, "open"), currency);
    if (document === null || open === null || !open.isPositive() || rowOf.has(document.id)) return;
    rowOf.set(document.id, r);
    candidates.set(document.id, { document, open });
  });
  const sourceInput: ApplicationSource =
    source.kind === "creditMemo"
      ? { kind: "creditMemo", document: creditMemoOf(source, openItems[source.row] ?? [], currency) }
      : {
          kind: "receipt",
          receipt: { id: source.key, customerId: source.customerId, date: source.date ?? options.today, currency, amount: source.amount ?? totals.amount, reference: source.reference },
        };
  return {
    input: {
      source: sourceInput,
      unapplied: totals.unapplied,
      openItems: [...candidates.values()],
      options: {
        // A credit memo earns no discount; a receipt by the day it was received.
        paymentDate: source.date ?? options.today,
        graceDays: 0,
        writeOffTolerance: { amount: Money.parse(SHORT_PAY_TOLERANCE.amount, currency), percent: SHORT_PAY_TOLERANCE.percent },
      },
    },
    rowOf,
    candidates,
    skipped,
  };
}

function termsOf(text: string): PaymentTerms | null {
  if (text === "") return null;
  try {
    return parseTerms(text);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    // Terms the add-in cannot read earn no discount here; the server still judges with its own terms.
    return null;
  }
}

function documentOf(row: Row, currency: CurrencyCode): ArDocument | null {
  const documentDate = readDate(items.cell(row, "documentDate"));
  const dueDate = readDate(items.cell(row, "dueDate"));
  const amount = readMoney(items.cell(row, "amount"), currency);
  if (documentDate === null || dueDate === null || amount === null) return null;
  const kind = items.text(row, "kind");
  return {
    id: items.text(row, "id"),
    customerId: items.text(row, "customerId"),
    type: kind === "debitMemo" ? "debitMemo" : "invoice",
    number: items.text(row, "number"),
    documentDate,
    dueDate,
    currency,
    amount: amount.abs(),
    terms: termsOf(items.text(row, "terms")),
    disputed: items.text(row, "disputed") !== "",
  };
}

function creditMemoOf(source: PaymentSource, row: Row, currency: CurrencyCode): ArDocument {
  const date = source.date ?? readDate(items.cell(row, "documentDate"));
  const amount = readMoney(items.cell(row, "amount"), currency);
  if (date === null || amount === null) throw new Error(`credit memo ${source.reference} has no readable date or amount`);
  return {
    id: items.text(row, "id"),
    customerId: items.text(row, "customerId"),
    type: "creditMemo",
    number: source.reference,
    documentDate: date,
    dueDate: readDate(items.cell(row, "dueDate")) ?? date,
    currency,
    amount: amount.abs(),
    terms: null,
    disputed: false,
  };
}

/** A document the suggestion pays only in part: what is left and what the clerk may do about it. */
export interface ShortPay {
  readonly row: number;
  readonly documentId: string;
  readonly number: string;
  readonly open: Money;
  readonly paid: Money;
  readonly discount: Money;
  /** Open less paid less discount: what a write-off or a dispute would cover. */
  readonly shortfall: Money;
  /** What the row holds for it now: the suggestion's write-off (within tolerance), the rest left open, or a dispute the pane set. */
  readonly chosen: ShortPayChoice["kind"];
}

export interface SuggestionPlan {
  readonly suggestion: AllocationSuggestion;
  /** Row index → the Open Items row with the suggestion written in. */
  readonly writes: ReadonlyMap<number, CellValue[]>;
  readonly shortPays: readonly ShortPay[];
  readonly skipped: readonly string[];
}

/** Runs the shared suggestion and turns it into Open Items cell values (Apply, Discount, Write-off + reason, From). */
export function planSuggestion(prepared: PreparedApplication, source: PaymentSource, openItems: readonly Row[]): SuggestionPlan {
  const suggestion = suggestAllocations(prepared.input);
  const writes = new Map<number, CellValue[]>();
  const shortPays: ShortPay[] = [];
  for (const allocation of suggestion.allocations) {
    const r = prepared.rowOf.get(allocation.documentId);
    const item = prepared.candidates.get(allocation.documentId);
    const row = r === undefined ? undefined : openItems[r];
    if (r === undefined || row === undefined || item === undefined) continue;
    const next = rewritable(row);
    next[items.index("apply")] = allocation.amount.isZero() ? "" : moneyToCell(allocation.amount);
    next[items.index("discount")] = allocation.discount.isZero() ? "" : moneyToCell(allocation.discount);
    next[items.index("writeOff")] = allocation.writeOff.isZero() ? "" : moneyToCell(allocation.writeOff);
    next[items.index("writeOffReason")] = allocation.writeOff.isZero() ? "" : textToCell(allocation.writeOffReason ?? SHORT_PAY_REASON);
    next[items.index("from")] = textToCell(source.reference);
    markEdited(next);
    writes.set(r, next);
    const shortfall = item.open.subtract(allocation.amount).subtract(allocation.discount);
    if (shortfall.isPositive()) {
      shortPays.push({
        row: r,
        documentId: allocation.documentId,
        number: item.document.number,
        open: item.open,
        paid: allocation.amount,
        discount: allocation.discount,
        shortfall,
        chosen: allocation.writeOff.isPositive() ? "writeOff" : "open",
      });
    }
  }
  return { suggestion, writes, shortPays, skipped: prepared.skipped };
}

/** Shows the row as edited, unless it already carries a flag that matters more (changed on the server, a conflict). */
function markEdited(row: CellValue[]): void {
  const at = items.index("status");
  const status = cellToText(row[at] ?? null);
  if (status === STATUS.clean || status.startsWith("Error") || status === "Posted" || status === "Server's kept") row[at] = STATUS.edited;
}

export type ShortPayChoice =
  | { readonly kind: "open" }
  | { readonly kind: "writeOff"; readonly reason: string }
  | { readonly kind: "dispute"; readonly reason: DisputeReason; readonly note: string };

/**
 * The Open Items row with the clerk's choice for a short pay: leave the
 * rest open (no write-off), write it off with a reason, or dispute it (the
 * Dispute column with the amount short; the payment itself stays applied).
 */
export function shortPayRow(row: Row, shortPay: ShortPay, choice: ShortPayChoice): CellValue[] {
  const next = rewritable(row);
  const set = (key: string, value: CellValue) => {
    next[items.index(key)] = value;
  };
  // Undo only what the pane itself wrote for this short pay; anything else on the row is the clerk's and stays.
  if (shortPay.chosen === "writeOff") {
    set("writeOff", "");
    set("writeOffReason", "");
  }
  if (shortPay.chosen === "dispute") {
    set("dispute", "");
    set("disputeAmount", "");
  }
  if (choice.kind === "writeOff") {
    set("writeOff", moneyToCell(shortPay.shortfall));
    set("writeOffReason", textToCell(choice.reason.trim() === "" ? CHOSEN_SHORT_PAY_REASON : choice.reason.trim()));
  }
  if (choice.kind === "dispute") {
    set("dispute", DISPUTE_CHOICES.find((d) => d.code === choice.reason)?.label ?? "other");
    set("disputeAmount", moneyToCell(shortPay.shortfall));
    // The note goes with the dispute; a note the clerk already typed on the row is kept in front of it.
    const typed = items.text(row, "note");
    if (choice.note.trim() !== "") set("note", textToCell(typed === "" ? choice.note.trim() : `${typed}; ${choice.note.trim()}`));
  }
  markEdited(next);
  return next;
}

/** Open Items rows with the settlement from a source removed (the clerk asked to start over). */
export function clearedRows(source: PaymentSource, openItems: readonly Row[]): Map<number, CellValue[]> {
  const cleared = new Map<number, CellValue[]>();
  openItems.forEach((row, r) => {
    if (source.reference === "" || keyOf(items.text(row, "from")) !== keyOf(source.reference)) return;
    const next = rewritable(row);
    for (const key of ["apply", "discount", "writeOff", "writeOffReason", "from"]) next[items.index(key)] = "";
    // Back to clean only when nothing else on the row is pending.
    if (editedColumns(next).length === 0 && cellToText(next[items.index("status")] ?? null) === STATUS.edited) next[items.index("status")] = STATUS.clean;
    cleared.set(r, next);
  });
  return cleared;
}

/** Payments rows to add so the sheet ends with `count` blank rows to type receipts into (the preview's grid cannot grow a table). */
export function blankRowsNeeded(rows: readonly Row[], isBlank: (row: Row) => boolean, count: number): number {
  let trailing = 0;
  for (let i = rows.length - 1; i >= 0 && isBlank(rows[i] ?? []); i--) trailing++;
  return Math.max(0, count - trailing);
}

export function isBlankRow(spec: TableSpec): (row: Row) => boolean {
  const editable = spec.columns.flatMap((c, i) => (c.editable || c.key === "id" ? [i] : []));
  return (row) => editable.every((i) => cellToText(row[i] ?? null).trim() === "");
}
