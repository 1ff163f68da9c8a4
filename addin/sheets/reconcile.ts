/**
 * Reconcile and AR Recon sheets: bank lines with their suggestions → rows,
 * the allocations text the clerk reads and types ("INV-1 980.00 (disc
 * 20.00); INV-2 500.00"), and the AR-to-GL report → rows. Pure functions
 * over plain values; the gateway writes them.
 */
import { isCurrencyCode, parseCurrency, type CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { cellToMoney, cellToText, dateToCell, moneyToCell, textToCell } from "../excel/cells.js";
import type { CellValue, RangeStyle, ValueRule } from "../excel/gateway.js";
import type { ArGlReconciliationWire, BankLineWire, SuggestionWire } from "../sync/wire.js";
import { currencyDecimalRules } from "./open-items.js";
import { AR_RECON, RECONCILE, columnIndex } from "./specs.js";

/** What Decision accepts; anything else is a problem on the cell. */
export const DECISIONS = ["accept", "reject", ""] as const;
export type Decision = (typeof DECISIONS)[number];

/** Status column texts the pane writes; Posted rows are done and send nothing again. */
export const RECONCILE_STATUS = {
  toDecide: "To decide",
  auto: "Auto-match",
  matched: "Matched",
  debit: "Debit (not a receipt)",
  notBooked: "Not booked",
  posted: "Posted",
} as const;

/** One allocation as the clerk reads or types it. */
export interface AllocationText {
  readonly number: string;
  readonly amount: Money;
  readonly discount: Money | null;
  readonly writeOff: Money | null;
}

/** "INV-1 980.00 (disc 20.00); INV-2 1,500.00 (w/o 5.00)": amounts grouped as the clerk reads them, in the currency's decimals. */
export function formatAllocations(allocations: SuggestionWire["allocations"], currency: CurrencyCode): string {
  return allocations
    .map((a) => {
      const discount = Money.parse(a.discount, currency);
      const writeOff = Money.parse(a.writeOff, currency);
      const extras = [discount.isZero() ? null : `disc ${discount.format()}`, writeOff.isZero() ? null : `w/o ${writeOff.format()}`].filter((x) => x !== null);
      return `${a.documentNumber} ${Money.parse(a.amount, currency).format()}${extras.length === 0 ? "" : ` (${extras.join(", ")})`}`;
    })
    .join("; ");
}

const PART = /^(\S+)\s+(-?[\d,]*\.?\d+)\s*(?:\((.*)\))?$/;

/**
 * Reads Apply to. Each part is a document number and the cash applied,
 * optionally "(disc X)" and/or "(w/o X)"; parts are separated by ";" or new
 * lines. Throws DomainError naming the part that is not understood.
 */
export function parseAllocations(text: string, currency: CurrencyCode): AllocationText[] {
  const parts = text
    .split(/[;\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return parts.map((part, i) => {
    const match = PART.exec(part);
    if (match === null) throw new DomainError("invalid_argument", `Apply to: "${part}" is not "<document> <amount>", e.g. "INV-1 980.00 (disc 20.00)"`, { field: `applyTo.${i}` });
    const [, number = "", amountText = "", extrasText] = match;
    const amount = Money.parse(amountText.replace(/,/g, ""), currency, `Apply to ${number}`);
    let discount: Money | null = null;
    let writeOff: Money | null = null;
    for (const extra of (extrasText ?? "").split(/,\s*(?=[a-z])/i).map((e) => e.trim()).filter((e) => e !== "")) {
      const m = /^(disc|discount|w\/o|write-?off)\s+([\d,]*\.?\d+)$/i.exec(extra);
      if (m === null) throw new DomainError("invalid_argument", `Apply to: "(${extrasText ?? ""})" after ${number}: write "disc 20.00" or "w/o 5.00"`, { field: `applyTo.${i}` });
      const value = Money.parse((m[2] ?? "").replace(/,/g, ""), currency, `Apply to ${number}`);
      if ((m[1] ?? "").toLowerCase().startsWith("disc")) discount = value;
      else writeOff = value;
    }
    return { number, amount, discount, writeOff };
  });
}

/** Receipt method a bank line implies: a check when the bank gives a check number (lockbox), else a transfer. */
export function methodOf(line: Pick<BankLineWire, "checkNumber">): "check" | "ach" {
  return line.checkNumber !== null && line.checkNumber !== "" ? "check" : "ach";
}

function remittanceText(line: BankLineWire): string {
  const docs = line.remittance.documents.map((d) => (d.amount === undefined ? d.number : `${d.number} ${d.amount}`));
  return [...(line.remittance.creditorReference === undefined ? [] : [line.remittance.creditorReference]), ...docs, ...line.remittance.unstructured].join(" | ");
}

function statusOf(line: BankLineWire): string {
  if (line.status === "matched") return RECONCILE_STATUS.matched;
  if (line.direction === "debit") return RECONCILE_STATUS.debit;
  if (line.entryStatus !== "booked") return RECONCILE_STATUS.notBooked;
  return line.suggestion?.autoAccept === true ? RECONCILE_STATUS.auto : RECONCILE_STATUS.toDecide;
}

/**
 * The Reasons cell: what the money settles first, then who paid. The engine
 * gives who first ("customer C-1 Acme: payer name … matches …", with its
 * "but …" caveats and rival customers right after it), then what
 * ("INV-1 in remittance; amount equals open 1,250.00 less 2% discount");
 * in a narrow column the second is what the clerk needs to see.
 */
export function reasonsText(reasons: readonly string[]): string {
  const [first, ...rest] = reasons;
  if (first === undefined || !first.startsWith("customer ")) return reasons.join("; ");
  const aboutCustomer = rest.findIndex((r) => !r.startsWith("but ") && !r.startsWith("customer "));
  const who = aboutCustomer < 0 ? reasons : reasons.slice(0, aboutCustomer + 1);
  const what = aboutCustomer < 0 ? [] : rest.slice(aboutCustomer);
  return [...what, ...who].join("; ");
}

/** One Reconcile row for a bank line; Decision, Customer and Apply to start empty. */
export function reconcileRow(line: BankLineWire): CellValue[] {
  const currency = parseCurrency(line.currency);
  const row: CellValue[] = RECONCILE.columns.map(() => "");
  const put = (key: string, value: CellValue) => {
    row[columnIndex(RECONCILE, key)] = value;
  };
  const s = line.suggestion;
  put("date", dateToCell(parseIsoDate(line.bookingDate)));
  put("amount", moneyToCell(Money.parse(line.amount, currency)));
  put("currency", currency);
  put("payer", textToCell(line.payerName ?? ""));
  put("reference", textToCell(line.bankReference ?? line.customerReference ?? line.checkNumber ?? ""));
  put("remittance", textToCell(remittanceText(line).slice(0, 250)));
  put("suggestedCustomer", textToCell(s?.customerNumber ?? ""));
  put("suggested", textToCell(s === null ? "" : formatAllocations(s.allocations, currency)));
  // Whole percent for people; the exact value stays in the suggestion JSON.
  put("confidence", s === null ? "" : Math.round(s.confidence * 100));
  put("reasons", textToCell(s === null ? "" : reasonsText(s.reasons).slice(0, 250)));
  put("status", statusOf(line));
  put("id", line.id);
  put("statementId", line.statementId);
  put("version", line.version);
  put("method", methodOf(line));
  put("suggestion", s === null ? "" : JSON.stringify(s));
  return row;
}

/** Value rules of the Reconcile sheet: auto-matches green, posted grey, errors red, amounts in their currency's decimals. */
export const RECONCILE_RULES: readonly ValueRule[] = [
  { column: "status", equals: [RECONCILE_STATUS.auto], style: { fill: "#DFF6DD", fontColor: "#107C10" } },
  { column: "status", equals: [RECONCILE_STATUS.posted, RECONCILE_STATUS.matched], style: { fontColor: "#605E5C", italic: true }, wholeRow: true },
  { column: "status", equals: ["Error"], style: { fill: "#FDE7E9", fontColor: "#A4262C", bold: true } },
  { column: "decision", equals: ["accept"], style: { fill: "#DFF6DD", bold: true } },
  { column: "decision", equals: ["reject"], style: { fill: "#F3F2F1", italic: true } },
  ...currencyDecimalRules(["amount"]),
];

/** Value rules of the AR Recon sheet: amounts in their currency's decimals. */
export const AR_RECON_RULES: readonly ValueRule[] = currencyDecimalRules(["amount"]);

/**
 * The status an undecided, unposted Reconcile row shows, worked out from the
 * row itself: for taking an "Error" mark off a row that is right again. (The
 * bank's "not booked" is not on the row; the next import restores it.)
 */
export function openStatusOfRow(row: readonly CellValue[]): string {
  const currency = cellToText(row[columnIndex(RECONCILE, "currency")] ?? null).toUpperCase();
  const amount = isCurrencyCode(currency) ? readAmount(row[columnIndex(RECONCILE, "amount")] ?? null, currency) : null;
  if (amount?.isNegative() === true) return RECONCILE_STATUS.debit;
  const suggestion = suggestionOf(cellToText(row[columnIndex(RECONCILE, "suggestion")] ?? null));
  return suggestion?.autoAccept === true ? RECONCILE_STATUS.auto : RECONCILE_STATUS.toDecide;
}

function readAmount(value: CellValue, currency: CurrencyCode): Money | null {
  try {
    return cellToMoney(value, currency, "amount");
  } catch (error) {
    // An amount cell someone typed over: not this function's to report (the check does).
    if (error instanceof DomainError) return null;
    throw error;
  }
}

/** The parsed suggestion of a Reconcile row, or null (none, or a cell someone typed over). */
export function suggestionOf(text: string): SuggestionWire | null {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as SuggestionWire;
  } catch {
    return null;
  }
}

const KIND_LABELS: Record<ArGlReconciliationWire["currencies"][number]["items"][number]["kind"], string> = {
  unappliedCash: "Unapplied cash",
  externalJournal: "External journal",
  postedAfterAsOf: "Posted after as-of",
  postedBeforeEvent: "Posted before event",
  postingWithoutEvent: "Posting without event",
  notPosted: "Not posted",
};

/** AR Recon rows: per currency the subledger, GL and difference, each reconciling item, then the unexplained rest. */
export function arReconRows(report: ArGlReconciliationWire): { rows: CellValue[][]; styles: RangeStyle[] } {
  const rows: CellValue[][] = [];
  const styles: RangeStyle[] = [];
  const row = (cells: Partial<Record<string, CellValue>>): CellValue[] => AR_RECON.columns.map((c) => cells[c.key] ?? "");
  for (const c of report.currencies) {
    if (!isCurrencyCode(c.currency)) continue;
    const amount = (text: string) => moneyToCell(Money.parse(text, c.currency));
    const first = rows.length;
    rows.push(row({ currency: c.currency, line: `Subledger open as of ${report.asOf}`, amount: amount(c.subledgerOpen), description: "Open documents plus unapplied cash (negative), as aging shows them" }));
    rows.push(row({ currency: c.currency, line: `GL AR control ${report.account}`, amount: amount(c.glBalance), description: "Σ debit − credit on the AR control account, journals dated on or before the as-of date" }));
    rows.push(row({ currency: c.currency, line: "Difference (GL − subledger)", amount: amount(c.difference) }));
    styles.push({ fromRow: first, toRow: first + 2, style: { bold: true } });
    for (const item of c.items) {
      rows.push(
        row({
          currency: c.currency,
          line: "Reconciling item",
          kind: KIND_LABELS[item.kind],
          reference: textToCell(item.reference ?? item.journalId ?? ""),
          date: item.date === null ? "" : dateToCell(parseIsoDate(item.date)),
          amount: amount(item.amount),
          description: textToCell(item.description),
        }),
      );
    }
    const last = rows.length;
    rows.push(row({ currency: c.currency, line: c.reconciled ? "Unexplained (reconciled)" : "Unexplained", amount: amount(c.unexplained) }));
    styles.push({ fromRow: last, toRow: last, style: c.reconciled ? { bold: true, fill: "#DFF6DD" } : { bold: true, fill: "#FDE7E9", fontColor: "#A4262C" } });
  }
  return { rows, styles };
}
