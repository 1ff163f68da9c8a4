/**
 * The sheets the add-in owns, as table specs. Each has hidden bookkeeping
 * columns (`id`, `version`, and for every editable column the value it had
 * when pulled, `orig:<key>`), so pending edits are found by diffing the sheet
 * against what was pulled, and survive closing the task pane.
 */
import { agingBuckets, type AgingBasis } from "../../shared/aging.js";
import type { ColumnSpec, TableSpec } from "../excel/gateway.js";

const col = (key: string, header: string, kind: ColumnSpec["kind"], width: number, more: Partial<ColumnSpec> = {}): ColumnSpec => ({
  key,
  header,
  kind,
  editable: false,
  width,
  ...more,
});
const hidden = (key: string, kind: ColumnSpec["kind"] = "text"): ColumnSpec => ({ key, header: key, kind, editable: false, hidden: true, width: 8 });

/**
 * Editable columns of Open Items: what the clerk intends to do to a row.
 * Apply / Discount / Write-off (with a reason) settle the row from the
 * receipt or credit named in "From" (a Payments reference, an unapplied-cash
 * reference or a credit-memo number); a write-off alone is a standalone
 * write-off. Dispute takes a reason code to open a dispute (amount in
 * Dispute amt, the New note as its note) or "resolve: <resolution>". New note
 * logs a note on the document.
 */
export const OPEN_ITEMS_EDITABLE = ["apply", "discount", "writeOff", "writeOffReason", "from", "dispute", "disputeAmount", "note"] as const;
export type OpenItemsEditable = (typeof OPEN_ITEMS_EDITABLE)[number];

const EDITABLE_KIND: Record<OpenItemsEditable, ColumnSpec["kind"]> = {
  apply: "money",
  discount: "money",
  writeOff: "money",
  writeOffReason: "text",
  from: "text",
  dispute: "text",
  disputeAmount: "money",
  note: "text",
};

export const OPEN_ITEMS: TableSpec = {
  sheet: "Open Items",
  table: "OpenAR_OpenItems",
  style: "TableStyleLight9",
  columns: [
    col("customerNumber", "Customer", "text", 11),
    col("customerName", "Customer name", "text", 28),
    col("type", "Type", "text", 12),
    col("number", "Document", "text", 14),
    col("documentDate", "Doc date", "date", 11),
    col("dueDate", "Due date", "date", 11),
    col("currency", "Cur", "text", 5),
    col("amount", "Amount", "money", 14),
    col("open", "Open", "money", 14),
    col("days", "Days past due", "integer", 8),
    col("bucket", "Bucket", "text", 10),
    col("disputed", "Disputed", "text", 9),
    col("lastNote", "Last note", "text", 36),
    col("promise", "Promise", "text", 22),
    col("promiseStatus", "Promise status", "text", 10),
    col("apply", "Apply", "money", 12, { editable: true }),
    col("discount", "Discount", "money", 10, { editable: true }),
    col("writeOff", "Write-off", "money", 10, { editable: true }),
    col("writeOffReason", "W/O reason", "text", 16, { editable: true }),
    col("from", "From", "text", 14, { editable: true }),
    col("dispute", "Dispute", "text", 14, { editable: true }),
    col("disputeAmount", "Dispute amt", "money", 11, { editable: true }),
    col("note", "New note", "text", 30, { editable: true }),
    col("status", "Sync status", "text", 26),
    hidden("id"),
    hidden("kind"),
    hidden("customerId"),
    hidden("version", "integer"),
    hidden("terms"),
    /** The open dispute on the document, if any (resolving it names it). */
    hidden("disputeId"),
    ...OPEN_ITEMS_EDITABLE.map((key) => hidden(`orig:${key}`, EDITABLE_KIND[key])),
  ],
};

/**
 * Payments: receipts the clerk records, one per row. A row without an id is
 * new; once posted it keeps its id and version, and "Reverse (NSF)" in Action
 * reverses it (a reversal, never a delete). Applied / Discount / Write-off /
 * Unapplied are running totals of what Open Items applies from it.
 */
export const PAYMENTS: TableSpec = {
  sheet: "Payments",
  table: "OpenAR_Payments",
  style: "TableStyleLight9",
  columns: [
    col("date", "Date", "date", 11, { editable: true }),
    col("customer", "Customer", "text", 11, { editable: true }),
    col("amount", "Amount", "money", 14, { editable: true }),
    col("currency", "Cur", "text", 5, { editable: true }),
    col("method", "Method", "text", 8, { editable: true }),
    col("reference", "Reference", "text", 18, { editable: true }),
    col("action", "Action", "text", 14, { editable: true }),
    col("applied", "Applied", "money", 13),
    col("discount", "Discount", "money", 11),
    col("writeOff", "Write-off", "money", 11),
    col("unapplied", "Unapplied", "money", 13),
    col("status", "Status", "text", 14),
    col("message", "Message", "text", 40),
    hidden("id"),
    hidden("version", "integer"),
  ],
};

export const NOTE_TYPES = ["call", "email", "letter", "note", "promise"] as const;

/** Notes: calls, emails, letters, notes and promises to pay, against a customer or one of its documents. */
export const NOTES: TableSpec = {
  sheet: "Notes",
  table: "OpenAR_Notes",
  style: "TableStyleLight9",
  columns: [
    col("customer", "Customer", "text", 11, { editable: true }),
    col("document", "Document", "text", 14, { editable: true }),
    col("type", "Type", "text", 9, { editable: true }),
    col("text", "Note", "text", 48, { editable: true }),
    col("promiseAmount", "Promise amt", "money", 12, { editable: true }),
    col("promiseDate", "Promise date", "date", 12, { editable: true }),
    col("followUp", "Follow-up", "date", 11, { editable: true }),
    col("status", "Status", "text", 12),
    col("message", "Message", "text", 40),
    hidden("id"),
  ],
};

/** The Aging table's columns depend on the bucket edges the user chose. */
export function agingSpec(edges: readonly number[], basis: AgingBasis): TableSpec {
  return {
    sheet: "Aging",
    table: "OpenAR_Aging",
    style: "TableStyleMedium2",
    columns: [
      col("customerNumber", "Customer", "text", 11),
      col("customerName", "Customer name", "text", 28),
      col("currency", "Cur", "text", 5),
      ...agingBuckets(edges, basis).map((b) => col(`bucket:${b.key}`, b.label, "money", 13)),
      col("total", "Total", "money", 14),
      hidden("customerId"),
    ],
  };
}

export function columnIndex(spec: TableSpec, key: string): number {
  const index = spec.columns.findIndex((c) => c.key === key);
  if (index < 0) throw new Error(`table ${spec.table} has no column ${key}`);
  return index;
}

/**
 * Reconcile: imported bank lines with the matching engine's suggestion. The
 * clerk decides per line in Decision: "accept" records the line as a receipt
 * (with the suggested customer and applications, or the ones typed in
 * Customer / Apply to), "reject" drops the suggestion, blank leaves the line
 * for follow-up. Apply to reads like Suggested: "INV-1 980.00 (disc 20.00); INV-2 500.00".
 */
export const RECONCILE_EDITABLE = ["decision", "customer", "applyTo"] as const;

export const RECONCILE: TableSpec = {
  sheet: "Reconcile",
  table: "OpenAR_Reconcile",
  style: "TableStyleLight9",
  columns: [
    col("date", "Date", "date", 11),
    col("amount", "Amount", "money", 14),
    col("currency", "Cur", "text", 5),
    col("payer", "Payer", "text", 22),
    col("reference", "Reference", "text", 12),
    col("remittance", "Remittance", "text", 28),
    col("suggestedCustomer", "Suggested customer", "text", 12),
    col("suggested", "Suggested applications", "text", 32),
    col("confidence", "Confidence %", "integer", 12),
    col("reasons", "Reasons", "text", 64),
    col("decision", "Decision", "text", 10, { editable: true }),
    col("customer", "Customer", "text", 11, { editable: true }),
    col("applyTo", "Apply to", "text", 30, { editable: true }),
    col("status", "Status", "text", 14),
    col("message", "Message", "text", 36),
    /** The bank line: receipt.create sends it as bankLineId. */
    hidden("id"),
    hidden("statementId"),
    hidden("version", "integer"),
    /** The id given to the receipt that records the line, written before the push so a retry reuses it. */
    hidden("receiptId"),
    /** The receipt method the line implies (check when it carries a check number). */
    hidden("method"),
    /** The suggestion as the server sent it (customer id, allocations with document ids and versions, autoAccept). */
    hidden("suggestion"),
  ],
};

/**
 * AR Recon: subledger to GL control account as of a date, per currency: the
 * three totals, then one row per reconciling item, then what is unexplained.
 */
export const AR_RECON: TableSpec = {
  sheet: "AR Recon",
  table: "OpenAR_ArRecon",
  style: "TableStyleMedium2",
  columns: [
    col("currency", "Cur", "text", 5),
    col("line", "Line", "text", 32),
    col("kind", "Kind", "text", 18),
    col("reference", "Reference", "text", 18),
    col("date", "Date", "date", 11),
    col("amount", "Amount", "money", 16),
    col("description", "Description", "text", 72),
  ],
};
