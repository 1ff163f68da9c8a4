/**
 * Puts hand-chosen ledger rows straight into a migrated database with plain
 * INSERTs, for tests of the read side that must not depend on the change-set
 * service. It keeps the stored balances the way the write side does:
 * documents.open_minor / receipts.unapplied_minor are the current balances,
 * activity_date the latest date of anything that changed them, and every
 * touched customer, document, receipt or note gets a change_log row.
 *
 * Amounts are decimal strings in the row's currency ("1000.00").
 */
import { Money } from "../../shared/money.js";
import { date, int, minor, sql, text, type SqlExecutor } from "../../server/store/sql.js";

export interface CustomerSpec {
  id: string;
  number: string;
  name: string;
  currency: string;
  collector?: string | null;
  terms?: string;
  creditLimit?: string | null;
  contacts?: readonly { name: string; email?: string }[];
}

export interface DocumentSpec {
  id: string;
  customerId: string;
  type: "invoice" | "debitMemo" | "creditMemo";
  number: string;
  documentDate: string;
  dueDate: string;
  currency: string;
  amount: string;
  disputed?: boolean;
  memo?: string | null;
  /** Terms code; default "NET 30". */
  terms?: string | null;
}

export interface ReceiptSpec {
  id: string;
  customerId: string;
  date: string;
  currency: string;
  amount: string;
  method?: string;
  reference: string;
}

export interface ApplicationSpec {
  id: string;
  source: { kind: "receipt" | "creditMemo"; id: string };
  documentId: string;
  date: string;
  currency: string;
  amount: string;
  discount?: string;
  writeOff?: string;
  writeOffReason?: string | null;
  /** A reversal: amounts are given negated, as the ledger stores them. */
  reversesId?: string | null;
}

export interface WriteOffSpec {
  id: string;
  documentId: string;
  date: string;
  currency: string;
  amount: string;
  reason: string;
}

export interface ReceiptReversalSpec {
  id: string;
  receiptId: string;
  date: string;
  reason: string;
}

export interface NoteSpec {
  id: string;
  customerId: string;
  documentId?: string | null;
  kind: "call" | "email" | "letter" | "note" | "promise";
  body: string;
  createdAt: string;
  /** For kind "promise": what was promised, by when. */
  promise?: { amount: string; currency: string; date: string };
}

export interface LedgerRows {
  customer(spec: CustomerSpec): Promise<void>;
  document(spec: DocumentSpec): Promise<void>;
  receipt(spec: ReceiptSpec): Promise<void>;
  application(spec: ApplicationSpec): Promise<void>;
  writeOff(spec: WriteOffSpec): Promise<void>;
  receiptReversal(spec: ReceiptReversalSpec): Promise<void>;
  note(spec: NoteSpec): Promise<void>;
}

const CHANGE_SET = "fixture";

export function ledgerRows(db: SqlExecutor, now = "2026-04-15T09:00:00.000Z"): LedgerRows {
  const toMinor = (amount: string, currency: string) => Money.parse(amount, currency).toMinor();

  /** Bumps the feed counter and logs the change; returns the new sequence number. */
  const logChange = async (entity: string, id: string): Promise<bigint> => {
    await db.run(sql`UPDATE counters SET value = value + 1 WHERE name = ${"change_seq"}`);
    const rows = await db.all(sql`SELECT value AS value_seq FROM counters WHERE name = ${"change_seq"}`);
    const value = rows[0]?.value_seq;
    if (typeof value !== "bigint") throw new Error("counters has no change_seq row");
    await db.run(
      sql`INSERT INTO change_log (seq, entity, entity_id, changeset_id, at) VALUES (${value}, ${text(entity)}, ${text(id)}, ${CHANGE_SET}, ${now})`,
    );
    return value;
  };

  const laterOf = (day: string) => sql`CASE WHEN activity_date < ${date(day)} THEN ${date(day)} ELSE activity_date END`;

  const changeDocument = async (id: string, deltaMinor: bigint, day: string) => {
    const changeSeq = await logChange("document", id);
    const result = await db.run(
      sql`UPDATE documents SET open_minor = open_minor + ${minor(deltaMinor)}, activity_date = ${laterOf(day)}, version = version + 1, change_seq = ${changeSeq} WHERE id = ${text(id)}`,
    );
    if (result.rowsAffected !== 1) throw new Error(`fixture: no document ${id}`);
  };

  const changeReceipt = async (id: string, deltaMinor: bigint, day: string, reversed: boolean) => {
    const changeSeq = await logChange("receipt", id);
    const unapplied = reversed ? sql`0` : sql`unapplied_minor + ${minor(deltaMinor)}`;
    const result = await db.run(
      sql`UPDATE receipts SET unapplied_minor = ${unapplied}, reversed = ${int(reversed ? 1 : 0)}, activity_date = ${laterOf(day)}, version = version + 1, change_seq = ${changeSeq} WHERE id = ${text(id)}`,
    );
    if (result.rowsAffected !== 1) throw new Error(`fixture: no receipt ${id}`);
  };

  return {
    async customer(c) {
      const changeSeq = await logChange("customer", c.id);
      const limit = c.creditLimit === undefined || c.creditLimit === null ? null : toMinor(c.creditLimit, c.currency);
      await db.run(
        sql`INSERT INTO customers (id, number, name, currency, terms_code, credit_limit_minor, collector, on_hold, contacts, version, change_seq) VALUES (${text(c.id)}, ${text(c.number)}, ${text(c.name)}, ${text(c.currency)}, ${text(c.terms ?? "NET 30")}, ${minor(limit)}, ${text(c.collector ?? null)}, ${int(0)}, ${text(JSON.stringify(c.contacts ?? []))}, ${int(1)}, ${changeSeq})`,
      );
    },

    async document(d) {
      const changeSeq = await logChange("document", d.id);
      const amount = toMinor(d.amount, d.currency);
      await db.run(
        sql`INSERT INTO documents (id, customer_id, doc_type, number, document_date, due_date, activity_date, currency, terms_code, amount_minor, open_minor, disputed, memo, version, change_seq, changeset_id) VALUES (${text(d.id)}, ${text(d.customerId)}, ${text(d.type)}, ${text(d.number)}, ${date(d.documentDate)}, ${date(d.dueDate)}, ${date(d.documentDate)}, ${text(d.currency)}, ${text(d.terms === undefined ? "NET 30" : d.terms)}, ${minor(amount)}, ${minor(amount)}, ${int(d.disputed === true ? 1 : 0)}, ${text(d.memo ?? null)}, ${int(1)}, ${changeSeq}, ${CHANGE_SET})`,
      );
    },

    async receipt(r) {
      const changeSeq = await logChange("receipt", r.id);
      const amount = toMinor(r.amount, r.currency);
      await db.run(
        sql`INSERT INTO receipts (id, customer_id, receipt_date, activity_date, currency, amount_minor, unapplied_minor, method, reference, reversed, version, change_seq, changeset_id) VALUES (${text(r.id)}, ${text(r.customerId)}, ${date(r.date)}, ${date(r.date)}, ${text(r.currency)}, ${minor(amount)}, ${minor(amount)}, ${text(r.method ?? "check")}, ${text(r.reference)}, ${int(0)}, ${int(1)}, ${changeSeq}, ${CHANGE_SET})`,
      );
    },

    async application(a) {
      const amount = toMinor(a.amount, a.currency);
      const discount = toMinor(a.discount ?? "0", a.currency);
      const writeOff = toMinor(a.writeOff ?? "0", a.currency);
      await db.run(
        sql`INSERT INTO applications (id, source_kind, source_id, document_id, application_date, currency, amount_minor, discount_minor, writeoff_minor, writeoff_reason, reverses_id, changeset_id, created_at) VALUES (${text(a.id)}, ${text(a.source.kind)}, ${text(a.source.id)}, ${text(a.documentId)}, ${date(a.date)}, ${text(a.currency)}, ${minor(amount)}, ${minor(discount)}, ${minor(writeOff)}, ${text(a.writeOffReason ?? null)}, ${text(a.reversesId ?? null)}, ${CHANGE_SET}, ${now})`,
      );
      await changeDocument(a.documentId, -(amount + discount + writeOff), a.date);
      if (a.source.kind === "receipt") await changeReceipt(a.source.id, -amount, a.date, false);
      else await changeDocument(a.source.id, -amount, a.date);
    },

    async writeOff(w) {
      const amount = toMinor(w.amount, w.currency);
      await db.run(
        sql`INSERT INTO write_offs (id, document_id, writeoff_date, currency, amount_minor, reason, reverses_id, changeset_id, created_at) VALUES (${text(w.id)}, ${text(w.documentId)}, ${date(w.date)}, ${text(w.currency)}, ${minor(amount)}, ${text(w.reason)}, ${text(null)}, ${CHANGE_SET}, ${now})`,
      );
      await changeDocument(w.documentId, -amount, w.date);
    },

    async receiptReversal(r) {
      await db.run(
        sql`INSERT INTO receipt_reversals (id, receipt_id, reversal_date, reason, changeset_id, created_at) VALUES (${text(r.id)}, ${text(r.receiptId)}, ${date(r.date)}, ${text(r.reason)}, ${CHANGE_SET}, ${now})`,
      );
      await changeReceipt(r.receiptId, 0n, r.date, true);
    },

    async note(n) {
      const changeSeq = await logChange("note", n.id);
      const p = n.promise;
      await db.run(
        sql`INSERT INTO notes (id, customer_id, document_id, kind, body, promise_currency, promise_amount_minor, promise_date, follow_up_date, author, created_at, change_seq, changeset_id) VALUES (${text(n.id)}, ${text(n.customerId)}, ${text(n.documentId ?? null)}, ${text(n.kind)}, ${text(n.body)}, ${text(p?.currency ?? null)}, ${minor(p === undefined ? null : toMinor(p.amount, p.currency))}, ${date(p?.date ?? null)}, ${date(null)}, ${"clerk"}, ${text(n.createdAt)}, ${changeSeq}, ${CHANGE_SET})`,
      );
    },
  };
}
