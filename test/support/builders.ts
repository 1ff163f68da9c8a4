/**
 * Builders for domain data in tests: `anInvoice({ amount: "100.00" })`.
 * Defaults are plain and visible so a test states only what matters to it.
 */
import type { CurrencyCode } from "../../shared/currency.js";
import { parseCurrency } from "../../shared/currency.js";
import { parseIsoDate, type IsoDate } from "../../shared/dates.js";
import type { Application, ArDocument, Receipt, ReceiptReversal, WriteOff, LedgerSnapshot } from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import type { PaymentTerms } from "../../shared/terms.js";

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}-${++sequence}`;

export const usd = (amount: string): Money => Money.parse(amount, "USD");
export const money = (amount: string, currency: string): Money => Money.parse(amount, currency);
export const d = (text: string): IsoDate => parseIsoDate(text);
export const cur = (code: string): CurrencyCode => parseCurrency(code);

export const NET_30: PaymentTerms = { code: "NET 30", netDays: 30, endOfMonth: false, discount: null };
export const TWO_10_NET_30: PaymentTerms = {
  code: "2/10 NET 30",
  netDays: 30,
  endOfMonth: false,
  discount: { percent: "2", days: 10 },
};

interface DocumentSpec {
  id?: string;
  customerId?: string;
  number?: string;
  amount?: string;
  currency?: string;
  documentDate?: string;
  dueDate?: string;
  terms?: PaymentTerms | null;
  disputed?: boolean;
}

function aDocument(type: ArDocument["type"], spec: DocumentSpec): ArDocument {
  const currency = cur(spec.currency ?? "USD");
  const id = spec.id ?? nextId(type);
  return {
    id,
    customerId: spec.customerId ?? "C-1",
    type,
    number: spec.number ?? id.toUpperCase(),
    documentDate: d(spec.documentDate ?? "2026-01-01"),
    dueDate: d(spec.dueDate ?? spec.documentDate ?? "2026-01-31"),
    currency,
    amount: Money.parse(spec.amount ?? "100.00", currency),
    terms: spec.terms === undefined ? NET_30 : spec.terms,
    disputed: spec.disputed ?? false,
  };
}

export const anInvoice = (spec: DocumentSpec = {}): ArDocument => aDocument("invoice", spec);
export const aDebitMemo = (spec: DocumentSpec = {}): ArDocument => aDocument("debitMemo", spec);
export const aCreditMemo = (spec: DocumentSpec = {}): ArDocument => aDocument("creditMemo", spec);

export function aReceipt(
  spec: {
    id?: string;
    customerId?: string;
    date?: string;
    amount?: string;
    currency?: string;
    method?: Receipt["method"];
    reference?: string;
  } = {},
): Receipt {
  const currency = cur(spec.currency ?? "USD");
  return {
    id: spec.id ?? nextId("receipt"),
    customerId: spec.customerId ?? "C-1",
    date: d(spec.date ?? "2026-01-15"),
    currency,
    amount: Money.parse(spec.amount ?? "100.00", currency),
    method: spec.method ?? "check",
    reference: spec.reference ?? "",
  };
}

export function anApplication(spec: {
  id?: string;
  from: Receipt | ArDocument;
  to: ArDocument;
  date?: string;
  amount: string;
  discount?: string;
  writeOff?: string;
  writeOffReason?: string;
  reverses?: Application;
}): Application {
  const currency = spec.to.currency;
  const source =
    "method" in spec.from
      ? { kind: "receipt" as const, id: spec.from.id }
      : { kind: "creditMemo" as const, id: spec.from.id };
  return {
    id: spec.id ?? nextId("application"),
    source,
    documentId: spec.to.id,
    date: d(spec.date ?? ("date" in spec.from ? spec.from.date : spec.from.documentDate)),
    currency,
    amount: Money.parse(spec.amount, currency),
    discount: Money.parse(spec.discount ?? "0", currency),
    writeOff: Money.parse(spec.writeOff ?? "0", currency),
    writeOffReason: spec.writeOffReason ?? null,
    reversesId: spec.reverses?.id ?? null,
  };
}

/** The reversal row of an application: negated amounts, dated when the mistake was fixed. */
export function aReversalOf(application: Application, date: string): Application {
  return {
    ...application,
    id: nextId("reversal"),
    date: d(date),
    amount: application.amount.negate(),
    discount: application.discount.negate(),
    writeOff: application.writeOff.negate(),
    reversesId: application.id,
  };
}

export function aWriteOff(spec: { of: ArDocument; amount: string; date?: string; reason?: string }): WriteOff {
  return {
    id: nextId("writeoff"),
    documentId: spec.of.id,
    date: d(spec.date ?? "2026-02-01"),
    currency: spec.of.currency,
    amount: Money.parse(spec.amount, spec.of.currency),
    reason: spec.reason ?? "small balance",
    reversesId: null,
  };
}

export function aReceiptReversal(spec: { of: Receipt; date: string; reason?: string }): ReceiptReversal {
  return { id: nextId("receipt-reversal"), receiptId: spec.of.id, date: d(spec.date), reason: spec.reason ?? "NSF" };
}

export function aLedger(parts: Partial<LedgerSnapshot> = {}): LedgerSnapshot {
  return {
    documents: parts.documents ?? [],
    receipts: parts.receipts ?? [],
    applications: parts.applications ?? [],
    writeOffs: parts.writeOffs ?? [],
    receiptReversals: parts.receiptReversals ?? [],
  };
}
