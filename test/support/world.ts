/**
 * Builders for the change-set planner's `World` (the rows a change set
 * touches, as the store loads them) and for change sets themselves:
 * `aWorld({ customers: [aCustomer()], documents: [aWorldDocument({ amount: "100.00" })] })`.
 * Defaults are plain and visible, as in builders.ts, so a test states only
 * what matters to it.
 */
import { parseChangeSet, type ChangeSet } from "../../shared/changeset.js";
import type {
  PlanContext,
  World,
  WorldApplication,
  WorldCustomer,
  WorldDispute,
  WorldDocument,
  WorldReceipt,
} from "../../shared/changeset-validation.js";
import type { ArDocument, ReceiptMethod } from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import type { Role } from "../../shared/roles.js";
import { dueDate, parseTerms, type PaymentTerms } from "../../shared/terms.js";
import { aCreditMemo, aDebitMemo, anInvoice, cur, d } from "./builders.js";

const termsOf = (terms: PaymentTerms | string): PaymentTerms => (typeof terms === "string" ? parseTerms(terms) : terms);

export function aCustomer(
  spec: {
    id?: string;
    number?: string;
    name?: string;
    currency?: string;
    terms?: PaymentTerms | string;
    creditLimit?: string | null;
    collector?: string | null;
    onHold?: boolean;
    version?: number;
  } = {},
): WorldCustomer {
  const id = spec.id ?? "C-1";
  const currency = cur(spec.currency ?? "USD");
  return {
    id,
    number: spec.number ?? `${id}-NO`,
    name: spec.name ?? `Customer ${id}`,
    currency,
    terms: termsOf(spec.terms ?? "NET 30"),
    creditLimit:
      spec.creditLimit === undefined || spec.creditLimit === null ? null : Money.parse(spec.creditLimit, currency),
    collector: spec.collector ?? null,
    onHold: spec.onHold ?? false,
    version: spec.version ?? 1,
  };
}

export interface WorldDocumentSpec {
  id?: string;
  type?: ArDocument["type"];
  customerId?: string;
  number?: string;
  amount?: string;
  /** Defaults to the amount (nothing applied yet). */
  open?: string;
  currency?: string;
  documentDate?: string;
  /** Defaults to the date the terms give (the document date for a credit memo). */
  dueDate?: string;
  /** Defaults to NET 30 (none for a credit memo). */
  terms?: PaymentTerms | string | null;
  disputed?: boolean;
  version?: number;
  /** Defaults to the document date. */
  activityDate?: string;
}

export function aWorldDocument(spec: WorldDocumentSpec = {}): WorldDocument {
  const type = spec.type ?? "invoice";
  const documentDate = d(spec.documentDate ?? "2026-02-01");
  const terms =
    spec.terms === undefined
      ? type === "creditMemo"
        ? null
        : termsOf("NET 30")
      : spec.terms === null
        ? null
        : termsOf(spec.terms);
  const due = spec.dueDate ?? (terms === null ? documentDate : dueDate(terms, documentDate));
  const make = type === "invoice" ? anInvoice : type === "debitMemo" ? aDebitMemo : aCreditMemo;
  const base = make({
    ...(spec.id === undefined ? {} : { id: spec.id }),
    ...(spec.customerId === undefined ? {} : { customerId: spec.customerId }),
    ...(spec.number === undefined ? {} : { number: spec.number }),
    ...(spec.amount === undefined ? {} : { amount: spec.amount }),
    ...(spec.currency === undefined ? {} : { currency: spec.currency }),
    documentDate,
    dueDate: due,
    terms,
    disputed: spec.disputed ?? false,
  });
  return {
    ...base,
    open: spec.open === undefined ? base.amount : Money.parse(spec.open, base.currency),
    version: spec.version ?? 1,
    activityDate: d(spec.activityDate ?? documentDate),
  };
}

let receiptSequence = 0;

export function aWorldReceipt(
  spec: {
    id?: string;
    customerId?: string;
    date?: string;
    amount?: string;
    /** Defaults to the amount (nothing applied yet). */
    unapplied?: string;
    currency?: string;
    method?: ReceiptMethod;
    reference?: string;
    reversed?: boolean;
    version?: number;
    activityDate?: string;
  } = {},
): WorldReceipt {
  const currency = cur(spec.currency ?? "USD");
  const amount = Money.parse(spec.amount ?? "100.00", currency);
  const date = d(spec.date ?? "2026-02-15");
  return {
    id: spec.id ?? `world-receipt-${++receiptSequence}`,
    customerId: spec.customerId ?? "C-1",
    date,
    currency,
    amount,
    unapplied: spec.unapplied === undefined ? amount : Money.parse(spec.unapplied, currency),
    method: spec.method ?? "check",
    reference: spec.reference ?? "",
    reversed: spec.reversed ?? false,
    version: spec.version ?? 1,
    activityDate: d(spec.activityDate ?? date),
  };
}

let applicationSequence = 0;

/** An application row already in the ledger, from a receipt or a credit memo to a document. */
export function aWorldApplication(spec: {
  id?: string;
  from: WorldReceipt | WorldDocument;
  to: WorldDocument;
  amount: string;
  discount?: string;
  writeOff?: string;
  /** Defaults to the source's date. */
  date?: string;
  isReversal?: boolean;
  reversed?: boolean;
}): WorldApplication {
  const currency = spec.to.currency;
  const isReceipt = "unapplied" in spec.from;
  const sourceDate = "unapplied" in spec.from ? spec.from.date : spec.from.documentDate;
  return {
    id: spec.id ?? `world-application-${++applicationSequence}`,
    sourceKind: isReceipt ? "receipt" : "creditMemo",
    sourceId: spec.from.id,
    documentId: spec.to.id,
    date: spec.date === undefined ? sourceDate : d(spec.date),
    currency,
    amount: Money.parse(spec.amount, currency),
    discount: Money.parse(spec.discount ?? "0", currency),
    writeOff: Money.parse(spec.writeOff ?? "0", currency),
    isReversal: spec.isReversal ?? false,
    reversed: spec.reversed ?? false,
  };
}

export function aDispute(spec: {
  id?: string;
  documentId: string;
  status?: WorldDispute["status"];
  version?: number;
}): WorldDispute {
  return {
    id: spec.id ?? `dispute-of-${spec.documentId}`,
    documentId: spec.documentId,
    status: spec.status ?? "open",
    version: spec.version ?? 1,
  };
}

export interface WorldSpec {
  customers?: readonly WorldCustomer[];
  documents?: readonly WorldDocument[];
  receipts?: readonly WorldReceipt[];
  applications?: readonly WorldApplication[];
  disputes?: readonly WorldDispute[];
  closedPeriods?: readonly string[];
  /** Ids used by rows not loaded (notes, write-offs, rows of other customers). */
  extraTakenIds?: readonly string[];
  /** Numbers used by rows not loaded: "customer:C-100", "invoice:INV-9". */
  extraTakenNumbers?: readonly string[];
}

/**
 * A World as `loadWorld` builds it: every loaded row's id is taken, every
 * loaded document's number is taken, and each source's active applications
 * (not reversal rows, not reversed) are listed in the given order. Like the
 * store, it leaves loaded customers' own numbers out of `takenNumbers` (so an
 * update may keep its number); the planner sees them through `customers`.
 */
export function aWorld(spec: WorldSpec = {}): World {
  const byId = <T extends { id: string }>(rows: readonly T[] = []): Map<string, T> =>
    new Map(rows.map((r) => [r.id, r]));
  const applications = spec.applications ?? [];
  const active = new Map<string, WorldApplication[]>();
  for (const a of applications) {
    if (a.isReversal || a.reversed) continue;
    active.set(a.sourceId, [...(active.get(a.sourceId) ?? []), a]);
  }
  const all = [
    ...(spec.customers ?? []),
    ...(spec.documents ?? []),
    ...(spec.receipts ?? []),
    ...applications,
    ...(spec.disputes ?? []),
  ];
  return {
    customers: byId(spec.customers),
    documents: byId(spec.documents),
    receipts: byId(spec.receipts),
    applications: byId(applications),
    activeApplicationsBySource: active,
    disputes: byId(spec.disputes),
    takenIds: new Set([...all.map((row) => row.id), ...(spec.extraTakenIds ?? [])]),
    takenNumbers: new Set([
      ...(spec.documents ?? []).map((doc) => `${doc.type}:${doc.number}`),
      ...(spec.extraTakenNumbers ?? []),
    ]),
    closedPeriods: new Set(spec.closedPeriods ?? []),
  };
}

/** Planner context: a clerk on 2026-03-15 with a 50.00 write-off limit in every currency, no grace days. */
export function aPlanContext(
  spec: { changeSetId?: string; role?: Role; today?: string; writeOffLimit?: string; discountGraceDays?: number } = {},
): PlanContext {
  const limit = spec.writeOffLimit ?? "50";
  return {
    changeSetId: spec.changeSetId ?? DEFAULT_CHANGE_SET_ID,
    role: spec.role ?? "clerk",
    today: d(spec.today ?? "2026-03-15"),
    writeOffLimit: (currency) => Money.parse(limit, currency, "writeOffLimit"),
    discountGraceDays: spec.discountGraceDays ?? 0,
  };
}

export const DEFAULT_CHANGE_SET_ID = "cs-00000001";

/**
 * A change set from protocol JSON, checked by `parseChangeSet` as the route
 * checks it, so planner tests only ever see bodies the server would accept.
 */
export function aChangeSet(
  operations: readonly Record<string, unknown>[],
  id: string = DEFAULT_CHANGE_SET_ID,
): ChangeSet {
  const parsed = parseChangeSet({ id, operations });
  if (!parsed.ok) {
    throw new Error(
      `test change set does not parse: ${parsed.errors.map((e) => `#${e.index} ${e.field}: ${e.message}`).join("; ")}`,
    );
  }
  return parsed.changeSet;
}
