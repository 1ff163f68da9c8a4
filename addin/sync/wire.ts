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

export const healthWire = z.object({ status: z.literal("ok"), store: z.string(), schemaVersion: z.number().int() });

export const errorWire = z.looseObject({ error: z.string(), message: z.string() });
