/**
 * Open Items sheet: server items → rows, and rows → what the clerk changed.
 * Pure functions over plain values; the gateway writes them.
 */
import { agingBuckets, bucketFor, type AgingBasis } from "../../shared/aging.js";
import { knownCurrencies, minorUnits, parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { daysBetween, parseIsoDate, type IsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import { cellToText, dateToCell, moneyFormat, moneyToCell, textToCell } from "../excel/cells.js";
import type { CellValue, ValueRule } from "../excel/gateway.js";
import type { OpenItemWire } from "../sync/wire.js";
import { OPEN_ITEMS, OPEN_ITEMS_EDITABLE, columnIndex } from "./specs.js";

export const TYPE_LABELS: Record<OpenItemWire["kind"], string> = {
  invoice: "Invoice",
  debitMemo: "Debit memo",
  creditMemo: "Credit memo",
  unappliedCash: "Unapplied cash",
};

export const PROMISE_LABELS = { kept: "Kept", broken: "Broken", pending: "Pending" } as const;

/** What the Sync status column says; value rules colour each. */
export const STATUS = {
  clean: "",
  edited: "Edited (not pushed)",
  clash: "Edited; changed on server",
  gone: "Edited; no longer open on server",
} as const;

const I = Object.fromEntries(OPEN_ITEMS.columns.map((c, i) => [c.key, i])) as Record<string, number>;
const at = (key: string): number => {
  const index = I[key];
  if (index === undefined) throw new Error(`Open Items has no column ${key}`);
  return index;
};

export interface AgingView {
  readonly asOf: IsoDate;
  readonly basis: AgingBasis;
  readonly edges: readonly number[];
}

export function bucketLabels(view: Pick<AgingView, "basis" | "edges">): Map<string, string> {
  return new Map(agingBuckets(view.edges, view.basis).map((b) => [b.key, b.label]));
}

/** One row of Open Items for a server item; editable columns start empty. */
export function openItemRow(item: OpenItemWire, labels: ReadonlyMap<string, string>): CellValue[] {
  const currency = parseCurrency(item.currency);
  const row: CellValue[] = new Array<CellValue>(OPEN_ITEMS.columns.length).fill(null);
  row[at("customerNumber")] = textToCell(item.customerNumber);
  row[at("customerName")] = textToCell(item.customerName);
  row[at("type")] = TYPE_LABELS[item.kind];
  row[at("number")] = textToCell(item.number);
  row[at("documentDate")] = dateToCell(parseIsoDate(item.documentDate));
  row[at("dueDate")] = dateToCell(parseIsoDate(item.dueDate));
  row[at("currency")] = currency;
  row[at("amount")] = moneyToCell(Money.parse(item.amount, currency, "amount"));
  row[at("open")] = moneyToCell(Money.parse(item.open, currency, "open"));
  row[at("days")] = item.days;
  row[at("bucket")] = labels.get(item.bucket) ?? item.bucket;
  row[at("disputed")] = item.disputed ? "Yes" : "";
  row[at("lastNote")] = item.lastNote === null ? "" : textToCell(`${item.lastNote.at.slice(0, 10)} ${item.lastNote.kind}: ${item.lastNote.body}`.slice(0, 250));
  const promise = item.promise;
  row[at("promise")] = promise === null ? "" : `${Money.parse(promise.amount, parseCurrency(promise.currency)).format()} ${promise.currency} by ${promise.date}`;
  row[at("promiseStatus")] = promise === null ? "" : PROMISE_LABELS[promise.status];
  for (const key of OPEN_ITEMS_EDITABLE) {
    row[at(key)] = "";
    row[at(`orig:${key}`)] = "";
  }
  row[at("status")] = STATUS.clean;
  row[at("id")] = item.id;
  row[at("kind")] = item.kind;
  row[at("customerId")] = item.customerId;
  row[at("version")] = item.version;
  row[at("terms")] = item.terms ?? "";
  row[at("disputeId")] = item.dispute?.id ?? "";
  return row;
}

/** Customer number, currency, due date, document number: how an AR clerk reads open items. */
export function compareOpenItemRows(a: readonly CellValue[], b: readonly CellValue[]): number {
  for (const key of ["customerNumber", "currency", "dueDate", "number", "id"]) {
    const x = a[at(key)] ?? "";
    const y = b[at(key)] ?? "";
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x - y;
      continue;
    }
    const tx = cellToText(x);
    const ty = cellToText(y);
    if (tx !== ty) return tx < ty ? -1 : 1;
  }
  return 0;
}

export function rowId(row: readonly CellValue[]): string {
  return cellToText(row[at("id")] ?? null);
}

export function rowVersion(row: readonly CellValue[]): number {
  const v = row[at("version")];
  return typeof v === "number" ? v : Number(v ?? 0);
}

export function rowCell(row: readonly CellValue[], key: string): CellValue {
  return row[at(key)] ?? null;
}

/** Editable cells whose value differs from what was pulled. */
export function editedColumns(row: readonly CellValue[]): string[] {
  return OPEN_ITEMS_EDITABLE.filter((key) => !sameCell(row[at(key)] ?? null, row[at(`orig:${key}`)] ?? null));
}

export function sameCell(a: CellValue, b: CellValue): boolean {
  // Trim before testing for empty: a cell of only spaces holds nothing, like an empty one.
  const norm = (v: CellValue) => {
    const text = typeof v === "string" ? v.trim() : v;
    return text === null || text === "" ? null : text;
  };
  return norm(a) === norm(b);
}

/**
 * A row read back from the sheet, safe to write again: Excel gives text back
 * without the apostrophe that kept it from being evaluated ("'-123" reads as
 * "-123"), so every text cell goes through textToCell again (it leaves
 * already-escaped text alone).
 */
export function rewritable(row: readonly CellValue[]): CellValue[] {
  return row.map((value) => (typeof value === "string" ? textToCell(value) : value));
}

/** Copies the clerk's editable values (and their pulled originals) from an old row into a new one. */
export function carryEdits(from: readonly CellValue[], into: CellValue[], status: string): CellValue[] {
  const safe = (value: CellValue | undefined): CellValue => (typeof value === "string" ? textToCell(value) : (value ?? null));
  for (const key of OPEN_ITEMS_EDITABLE) {
    into[at(key)] = safe(from[at(key)]);
    into[at(`orig:${key}`)] = safe(from[at(`orig:${key}`)]);
  }
  into[at("status")] = status;
  return into;
}

export function withStatus(row: readonly CellValue[], status: string): CellValue[] {
  const copy = rewritable(row);
  copy[at("status")] = status;
  return copy;
}

/** Re-ages a row for a new as-of date (refresh recomputes days and bucket locally with the shared rules). */
export function ageRow(row: CellValue[], item: { kind: OpenItemWire["kind"]; dueDate: string; documentDate: string }, view: AgingView, labels: ReadonlyMap<string, string>): void {
  const credit = item.kind === "creditMemo" || item.kind === "unappliedCash";
  const ownDate = parseIsoDate(item.documentDate);
  const anchor = view.basis === "document" || credit ? ownDate : parseIsoDate(item.dueDate);
  const days = daysBetween(anchor, view.asOf);
  row[at("days")] = days;
  row[at("bucket")] = labels.get(bucketFor(view.basis === "document" ? Math.max(days, 0) : days, view.edges, view.basis)) ?? "";
}

const SEVERITY = [
  { fill: "#E6F4EA", fontColor: "#0B6A0B" },
  { fill: "#FFF4CE", fontColor: "#6B5100" },
  { fill: "#FDE7D4", fontColor: "#8A3707" },
  { fill: "#FBD5C2", fontColor: "#8A2B07" },
  { fill: "#F9C9C9", fontColor: "#A4262C" },
  { fill: "#F1B0B0", fontColor: "#750B1C" },
];

/**
 * Amount columns show their currency's decimals: the column format is 2
 * decimals, so rows in a currency with 0 (JPY) or 3 (KWD) get their own.
 */
export function currencyDecimalRules(moneyColumns: readonly string[]): ValueRule[] {
  const byDigits = new Map<number, CurrencyCode[]>();
  for (const code of knownCurrencies()) {
    const digits = minorUnits(code);
    if (digits !== 2) byDigits.set(digits, [...(byDigits.get(digits) ?? []), code]);
  }
  return [...byDigits].map(([digits, codes]) => ({ column: "currency", equals: codes, columns: moneyColumns, style: { numberFormat: moneyFormat(digits) } }));
}

/** Conditional formats: bucket severity, disputed, sync status, and amount decimals per currency. */
export function openItemsValueRules(view: Pick<AgingView, "basis" | "edges">): ValueRule[] {
  const buckets = agingBuckets(view.edges, view.basis);
  const bucketRules: ValueRule[] = buckets.map((b, i) => ({
    column: "bucket",
    equals: [b.label],
    style: SEVERITY[Math.min(SEVERITY.length - 1, Math.round((i * (SEVERITY.length - 1)) / Math.max(1, buckets.length - 1)))] ?? {},
  }));
  const currencyRules = currencyDecimalRules(OPEN_ITEMS.columns.filter((c) => c.kind === "money").map((c) => c.key));
  return [
    ...bucketRules,
    { column: "disputed", equals: ["Yes"], style: { fontColor: "#A4262C", bold: true } },
    // A promise whose date passed without the money: the collector's first call of the day.
    { column: "promiseStatus", equals: [PROMISE_LABELS.broken], columns: ["promise", "promiseStatus"], style: { fill: "#FDE7E9", fontColor: "#A4262C", bold: true } },
    { column: "promiseStatus", equals: [PROMISE_LABELS.kept], columns: ["promiseStatus"], style: { fontColor: "#0B6A0B" } },
    { column: "status", equals: [STATUS.edited], style: { fill: "#DEECF9", fontColor: "#004578" } },
    { column: "status", equals: [STATUS.clash, STATUS.gone], startsWith: ["Conflict:", "Error:"], style: { fill: "#FDE7E9", fontColor: "#A4262C", bold: true }, wholeRow: true },
    { column: "status", equals: ["Posted"], style: { fontColor: "#0B6A0B" } },
    ...currencyRules,
  ];
}

export { columnIndex };
