import type { CurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import type { Money } from "./money.js";
import type { PaymentTerms } from "./terms.js";

/**
 * The AR subledger as plain data: what shared/ computes over. The server's
 * store reads these from SQL; tests build them with builders in test/.
 * Ledger rows (applications, write-offs, receipt reversals) are facts:
 * append-only; a correction is a new row with negated amounts that points at
 * the row it reverses, dated when the correction happened, so any as-of view
 * before that date still shows the original.
 */

export type DocumentType = "invoice" | "debitMemo" | "creditMemo";
export type ReceiptMethod = "check" | "ach" | "wire" | "card" | "cash" | "other";
export type DisputeStatus = "open" | "resolved";

export interface Customer {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly terms: PaymentTerms;
  readonly creditLimit: Money | null;
  readonly collector: string | null;
  readonly onHold: boolean;
}

/** An invoice, debit memo or credit memo. `amount` is positive for all three. */
export interface ArDocument {
  readonly id: string;
  readonly customerId: string;
  readonly type: DocumentType;
  readonly number: string;
  readonly documentDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  /** Terms the document was issued on; discounts are computed from them. */
  readonly terms: PaymentTerms | null;
  readonly disputed: boolean;
}

export interface Receipt {
  readonly id: string;
  readonly customerId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  /** Positive amount received. */
  readonly amount: Money;
  readonly method: ReceiptMethod;
  readonly reference: string;
}

/**
 * Settles part of a document from a receipt or a credit memo. `amount` is
 * cash (or credit) applied; `discount` and `writeOff` reduce the document
 * without using the source. A reversal row carries the negated amounts and
 * `reversesId`.
 */
export interface Application {
  readonly id: string;
  readonly source: { readonly kind: "receipt" | "creditMemo"; readonly id: string };
  readonly documentId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  readonly discount: Money;
  readonly writeOff: Money;
  readonly writeOffReason: string | null;
  readonly reversesId: string | null;
}

/** A write-off of a document's balance without any cash (bad debt, small balance). */
export interface WriteOff {
  readonly id: string;
  readonly documentId: string;
  readonly date: IsoDate;
  readonly currency: CurrencyCode;
  readonly amount: Money;
  readonly reason: string;
  readonly reversesId: string | null;
}

/** A returned or NSF receipt: from `date` on the receipt no longer counts. */
export interface ReceiptReversal {
  readonly id: string;
  readonly receiptId: string;
  readonly date: IsoDate;
  readonly reason: string;
}

/** Everything that decides open amounts as of a date. */
export interface LedgerSnapshot {
  readonly documents: readonly ArDocument[];
  readonly receipts: readonly Receipt[];
  readonly applications: readonly Application[];
  readonly writeOffs: readonly WriteOff[];
  readonly receiptReversals: readonly ReceiptReversal[];
}
