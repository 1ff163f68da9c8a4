/**
 * What the service sends, checked on arrival: a malformed answer is reported
 * as such instead of being written into the sheets half-understood. Amounts
 * stay decimal strings until they are parsed into Money with their currency.
 */
import { z } from "zod";

const money = z.string().regex(/^-?\d+(\.\d+)?$/, "an amount must be a decimal string");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date must be YYYY-MM-DD");

export const openItemWire = z.object({
  kind: z.enum(["invoice", "debitMemo", "creditMemo", "unappliedCash"]),
  id: z.string(),
  customerId: z.string(),
  customerNumber: z.string(),
  customerName: z.string(),
  collector: z.string().nullable(),
  number: z.string(),
  documentDate: isoDate,
  dueDate: isoDate,
  currency: z.string().length(3),
  amount: money,
  open: money,
  days: z.number().int(),
  bucket: z.string(),
  disputed: z.boolean(),
  version: z.number().int(),
  lastNote: z.object({ kind: z.string(), body: z.string(), at: z.string() }).nullable(),
  /** Optional: services before disputes were listed did not send it. */
  dispute: z.object({ id: z.string(), reasonCode: z.string(), amount: money, version: z.number().int() }).nullable().optional(),
  /** The document's payment terms code; null for unapplied cash. */
  terms: z.string().nullable(),
  /** The latest promise to pay on the document, else the customer's general one, judged as of the pull's date. */
  promise: z
    .object({
      amount: money,
      currency: z.string().length(3),
      date: isoDate,
      madeOn: isoDate,
      status: z.enum(["kept", "broken", "pending"]),
    })
    .nullable(),
});
export type OpenItemWire = z.infer<typeof openItemWire>;

export const streamLineWire = z.union([
  z.object({ item: openItemWire }),
  z.object({ end: z.object({ count: z.number().int(), cursor: z.string(), asOf: isoDate, basis: z.string() }) }),
]);

export const agingWire = z.object({
  asOf: isoDate,
  basis: z.enum(["due", "document"]),
  buckets: z.array(z.object({ key: z.string(), label: z.string() })),
  customers: z.array(
    z.object({
      customerId: z.string(),
      customerNumber: z.string(),
      customerName: z.string(),
      currency: z.string().length(3),
      buckets: z.record(z.string(), money),
      total: money,
    }),
  ),
  totals: z.array(z.object({ currency: z.string().length(3), buckets: z.record(z.string(), money), total: money })),
  disputed: z.array(z.object({ currency: z.string().length(3), total: money })).optional(),
});
export type AgingWire = z.infer<typeof agingWire>;

export const documentDataWire = z.object({
  id: z.string(),
  customerId: z.string(),
  type: z.enum(["invoice", "debitMemo", "creditMemo"]),
  number: z.string(),
  documentDate: isoDate,
  dueDate: isoDate,
  currency: z.string().length(3),
  amount: money,
  open: money,
  /** Optional: older services did not send it. */
  terms: z.string().nullable().optional(),
  disputed: z.boolean(),
  version: z.number().int(),
});
export const receiptDataWire = z.object({
  id: z.string(),
  customerId: z.string(),
  date: isoDate,
  currency: z.string().length(3),
  amount: money,
  unapplied: money,
  reference: z.string(),
  reversed: z.boolean(),
  version: z.number().int(),
});
export const customerDataWire = z.object({ id: z.string(), number: z.string(), name: z.string(), collector: z.string().nullable() });
export const noteDataWire = z.object({
  id: z.string(),
  customerId: z.string(),
  documentId: z.string().nullable(),
  kind: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

export const changesWire = z.object({
  changes: z.array(
    z.object({
      seq: z.string(),
      entity: z.enum(["customer", "document", "receipt", "note", "dispute", "period"]),
      id: z.string(),
      changeSetId: z.string().nullable(),
      data: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  cursor: z.string(),
  hasMore: z.boolean(),
});
export type ChangesWire = z.infer<typeof changesWire>;

export const customerWire = z.object({
  id: z.string(),
  number: z.string(),
  name: z.string(),
  currency: z.string().length(3),
  terms: z.string(),
  collector: z.string().nullable(),
  version: z.number().int(),
});
export const customersWire = z.object({ customers: z.array(customerWire), next: z.string().nullable() });
export type CustomerWire = z.infer<typeof customerWire>;

const operationErrorWire = z.object({ index: z.number().int(), ref: z.string().nullable(), op: z.string().nullable(), field: z.string(), code: z.string(), message: z.string() });
const conflictWire = z.object({
  index: z.number().int(),
  ref: z.string().nullable(),
  entity: z.string(),
  id: z.string(),
  expectedVersion: z.number().int(),
  currentVersion: z.number().int(),
  current: z.record(z.string(), z.unknown()),
});
const committedWire = z.object({
  status: z.literal("committed"),
  replayed: z.boolean().optional(),
  id: z.string(),
  committedAt: z.string(),
  cursor: z.string(),
  results: z.array(z.object({ index: z.number().int(), ref: z.string().nullable(), op: z.string(), id: z.string(), version: z.number().int().nullable() })),
});
const validatedWire = z.object({ status: z.literal("validated"), dryRun: z.literal(true), operations: z.number().int() });
const invalidWire = z.looseObject({ error: z.literal("validation_failed"), message: z.string(), errors: z.array(operationErrorWire) });
const conflictsWire = z.looseObject({ error: z.literal("conflict"), message: z.string(), conflicts: z.array(conflictWire) });
const mismatchWire = z.looseObject({ error: z.literal("conflict"), message: z.string(), differences: z.array(z.string()) });

/** Every answer a push can get, tagged so the pane can tell them apart. */
export type PushAnswer =
  | { readonly kind: "committed"; readonly committed: CommittedWire }
  | { readonly kind: "validated"; readonly operations: number }
  | { readonly kind: "invalid"; readonly message: string; readonly errors: z.infer<typeof operationErrorWire>[] }
  | { readonly kind: "conflict"; readonly message: string; readonly conflicts: ConflictWire[] }
  | { readonly kind: "mismatch"; readonly message: string; readonly differences: string[] };

/** Reads a push's answer; null when it is none of the known shapes. */
export function readPushAnswer(body: unknown): PushAnswer | null {
  const committed = committedWire.safeParse(body);
  if (committed.success) return { kind: "committed", committed: committed.data };
  const validated = validatedWire.safeParse(body);
  if (validated.success) return { kind: "validated", operations: validated.data.operations };
  const invalid = invalidWire.safeParse(body);
  if (invalid.success) return { kind: "invalid", message: invalid.data.message, errors: invalid.data.errors };
  const conflicts = conflictsWire.safeParse(body);
  if (conflicts.success) return { kind: "conflict", message: conflicts.data.message, conflicts: conflicts.data.conflicts };
  const mismatch = mismatchWire.safeParse(body);
  if (mismatch.success) return { kind: "mismatch", message: mismatch.data.message, differences: mismatch.data.differences };
  return null;
}
export type CommittedWire = z.infer<typeof committedWire>;
export type ConflictWire = z.infer<typeof conflictWire>;
export { committedWire };

export const healthWire = z.object({ status: z.literal("ok"), store: z.string(), schemaVersion: z.number().int() });

export const errorWire = z.looseObject({ error: z.string(), message: z.string() });

// ---- bank statements, match suggestions, reconciliations (issue 6) -------------------------------

export const bankStatementWire = z.looseObject({
  id: z.string(),
  format: z.string(),
  account: z.string(),
  currency: z.string().length(3),
  statementDate: isoDate.nullable(),
  from: isoDate.nullable(),
  to: isoDate.nullable(),
  openingBalance: money.nullable(),
  closingBalance: money.nullable(),
  lineCount: z.number().int(),
});
export type BankStatementWire = z.infer<typeof bankStatementWire>;

export const bankUploadWire = z.object({ created: z.boolean(), statements: z.array(bankStatementWire) });
export type BankUploadWire = z.infer<typeof bankUploadWire>;
export const bankStatementsWire = z.object({ statements: z.array(bankStatementWire) });

export const suggestionWire = z.object({
  customerId: z.string().nullable(),
  customerNumber: z.string().nullable(),
  customerName: z.string().nullable(),
  kind: z.string(),
  allocations: z.array(
    z.object({
      documentId: z.string(),
      documentNumber: z.string(),
      documentVersion: z.number().int().nullable(),
      amount: money,
      discount: money,
      writeOff: money,
      writeOffReason: z.string().nullable(),
    }),
  ),
  unapplied: money,
  confidence: z.number().min(0).max(1),
  autoAccept: z.boolean(),
  reasons: z.array(z.string()),
});
export type SuggestionWire = z.infer<typeof suggestionWire>;

export const bankLineWire = z.looseObject({
  id: z.string(),
  statementId: z.string(),
  lineNo: z.number().int(),
  recordRef: z.string(),
  bookingDate: isoDate,
  amount: money,
  currency: z.string().length(3),
  direction: z.enum(["credit", "debit"]),
  entryStatus: z.enum(["booked", "pending", "information", "future"]),
  bankReference: z.string().nullable(),
  customerReference: z.string().nullable(),
  payerName: z.string().nullable(),
  checkNumber: z.string().nullable(),
  remittance: z.object({
    unstructured: z.array(z.string()),
    documents: z.array(z.object({ number: z.string(), amount: money.optional() })),
    creditorReference: z.string().optional(),
  }),
  status: z.enum(["open", "matched", "ignored"]),
  receiptId: z.string().nullable(),
  version: z.number().int(),
  suggestion: suggestionWire.nullable(),
});
export type BankLineWire = z.infer<typeof bankLineWire>;
export const bankLinesWire = z.object({ statement: bankStatementWire, lines: z.array(bankLineWire) });
export type BankLinesWire = z.infer<typeof bankLinesWire>;

const reconLineWire = z.looseObject({ id: z.string(), lineNo: z.number().int(), bookingDate: isoDate, amount: money, payerName: z.string().nullable(), reference: z.string().nullable() });
const reconReceiptWire = z.looseObject({ id: z.string(), customerNumber: z.string(), date: isoDate, amount: money, reference: z.string() });
export const bankReconciliationWire = z.object({
  statementId: z.string(),
  currency: z.string().length(3),
  from: isoDate.nullable(),
  to: isoDate.nullable(),
  matched: z.array(z.object({ line: reconLineWire, receipt: reconReceiptWire })),
  linesWithoutReceipt: z.array(reconLineWire),
  receiptsWithoutLine: z.array(reconReceiptWire),
  notBooked: z.array(reconLineWire),
  otherCurrency: z.array(reconLineWire),
  totals: z.object({ credits: money, debits: money, net: money, matched: money, creditsWithoutReceipt: money, debitsWithoutReceipt: money, receiptsWithoutLine: money }),
  balance: z.object({
    opening: money.nullable(),
    closing: money.nullable(),
    expectedClosing: money.nullable(),
    difference: money.nullable(),
    ties: z.boolean().nullable(),
    message: z.string(),
  }),
});
export type BankReconciliationWire = z.infer<typeof bankReconciliationWire>;

export const arGlReconciliationWire = z.object({
  asOf: isoDate,
  account: z.string(),
  currencies: z.array(
    z.object({
      currency: z.string().length(3),
      subledgerOpen: money,
      subledgerDocuments: money,
      unappliedCash: money,
      glBalance: money,
      difference: money,
      items: z.array(
        z.object({
          kind: z.enum(["unappliedCash", "externalJournal", "postedAfterAsOf", "postedBeforeEvent", "postingWithoutEvent", "notPosted"]),
          amount: money,
          date: isoDate.nullable(),
          journalId: z.string().nullable(),
          eventId: z.string().nullable(),
          reference: z.string().nullable(),
          description: z.string(),
        }),
      ),
      explained: money,
      unexplained: money,
      reconciled: z.boolean(),
    }),
  ),
});
export type ArGlReconciliationWire = z.infer<typeof arGlReconciliationWire>;
