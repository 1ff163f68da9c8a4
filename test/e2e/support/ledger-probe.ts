/**
 * Looks straight into the preview service's ledger database, for what the
 * HTTP API does not show: the GL journals a change set posted, how many
 * receipts carry a reference, how many change sets were ever stored. Read
 * only; amounts come back as decimal strings in the row's currency.
 */
import { sql, text } from "../../../server/store/sql.js";
import type { SqlLedgerStore } from "../../../server/store/ledger-store.js";
import { Money } from "../../../shared/money.js";

export interface GlLine {
  readonly journalDate: string;
  readonly eventKind: string;
  readonly memo: string;
  readonly account: string;
  readonly currency: string;
  readonly debit: string;
  readonly credit: string;
}

function textOf(row: Record<string, unknown>, key: string): string {
  const value = row[key];
  if (typeof value !== "string") throw new Error(`column ${key}: expected text, found ${typeof value} ${String(value)}`);
  return value;
}

function minorOf(row: Record<string, unknown>, key: string): bigint {
  const value = row[key];
  if (typeof value !== "bigint") throw new Error(`column ${key}: expected minor units as bigint, found ${typeof value} ${String(value)}`);
  return value;
}

function countOf(row: Record<string, unknown> | undefined, key: string): number {
  const value = row?.[key];
  if (typeof value !== "number") throw new Error(`column ${key}: expected a count, found ${typeof value} ${String(value)}`);
  return value;
}

/** Every GL line posted by one change set, ordered by memo then line number. */
export async function glLinesOfChangeSet(store: SqlLedgerStore, changeSetId: string): Promise<GlLine[]> {
  const rows = await store.database.all(
    sql`SELECT j.journal_date, j.event_kind, j.memo, l.account, l.currency, l.debit_minor, l.credit_minor FROM gl_journals j JOIN gl_lines l ON l.journal_id = j.id WHERE j.changeset_id = ${text(changeSetId)} ORDER BY j.memo, l.line_no`,
  );
  return rows.map((row) => {
    const currency = textOf(row, "currency");
    return {
      journalDate: textOf(row, "journal_date"),
      eventKind: textOf(row, "event_kind"),
      memo: textOf(row, "memo"),
      account: textOf(row, "account"),
      currency,
      debit: Money.fromMinor(minorOf(row, "debit_minor"), currency).toString(),
      credit: Money.fromMinor(minorOf(row, "credit_minor"), currency).toString(),
    };
  });
}

/** The receipts stored under a reference: id and the change set that created each. */
export async function receiptsWithReference(store: SqlLedgerStore, reference: string): Promise<{ id: string; changeSetId: string; amount: string; unapplied: string }[]> {
  const rows = await store.database.all(
    sql`SELECT id, changeset_id, currency, amount_minor, unapplied_minor FROM receipts WHERE reference = ${text(reference)} ORDER BY id`,
  );
  return rows.map((row) => {
    const currency = textOf(row, "currency");
    return {
      id: textOf(row, "id"),
      changeSetId: textOf(row, "changeset_id"),
      amount: Money.fromMinor(minorOf(row, "amount_minor"), currency).toString(),
      unapplied: Money.fromMinor(minorOf(row, "unapplied_minor"), currency).toString(),
    };
  });
}

/** Change sets the service ever committed (dry runs store none). */
export async function committedChangeSetCount(store: SqlLedgerStore): Promise<number> {
  const [row] = await store.database.all(sql`SELECT COUNT(*) AS changeset_count FROM changesets`);
  return countOf(row, "changeset_count");
}

/** Applications (never edited or deleted) made to one document. */
export async function applicationCount(store: SqlLedgerStore, documentId: string): Promise<number> {
  const [row] = await store.database.all(sql`SELECT COUNT(*) AS application_count FROM applications WHERE document_id = ${text(documentId)}`);
  return countOf(row, "application_count");
}
