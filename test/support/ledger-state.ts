/**
 * What a database holds, reduced to numbers a test can compare before and
 * after: the row count of every ledger table plus the balance and version
 * columns that a change set updates in place (an UPDATE changes no count).
 * "Nothing was written" means two fingerprints are equal.
 */
import { raw, sql, text, type SqlExecutor } from "../../server/store/sql.js";

/** Every table of the schema (migrations 001), append-only and mutable alike. */
export const LEDGER_TABLES = [
  "customers",
  "documents",
  "receipts",
  "applications",
  "write_offs",
  "receipt_reversals",
  "notes",
  "disputes",
  "periods",
  "gl_journals",
  "gl_lines",
  "changesets",
  "audit_log",
  "change_log",
  "counters",
  "tokens",
] as const;

export type LedgerFingerprint = Readonly<Record<string, string>>;

async function scalar(db: SqlExecutor, query: ReturnType<typeof sql>): Promise<string> {
  const [row] = await db.all(query);
  const value = row === undefined ? null : Object.values(row)[0];
  if (value === null || value === undefined) return "0";
  if (typeof value !== "bigint" && typeof value !== "number" && typeof value !== "string")
    throw new Error(`not a number: ${typeof value}`);
  return String(value);
}

export async function ledgerFingerprint(db: SqlExecutor): Promise<LedgerFingerprint> {
  const out: Record<string, string> = {};
  for (const table of LEDGER_TABLES) {
    out[`${table}.rows`] = await scalar(db, sql`SELECT COUNT(*) AS n_count FROM ${raw(table)}`);
  }
  // Columns an UPDATE moves: balances, flags, versions, the change-feed counter.
  out["documents.open"] = await scalar(db, sql`SELECT SUM(open_minor) AS s_minor FROM documents`);
  out["documents.versions"] = await scalar(db, sql`SELECT SUM(version) AS s_count FROM documents`);
  out["documents.disputed"] = await scalar(db, sql`SELECT SUM(disputed) AS s_count FROM documents`);
  out["receipts.unapplied"] = await scalar(db, sql`SELECT SUM(unapplied_minor) AS s_minor FROM receipts`);
  out["receipts.versions"] = await scalar(db, sql`SELECT SUM(version) AS s_count FROM receipts`);
  out["receipts.reversed"] = await scalar(db, sql`SELECT SUM(reversed) AS s_count FROM receipts`);
  out["customers.versions"] = await scalar(db, sql`SELECT SUM(version) AS s_count FROM customers`);
  out["disputes.versions"] = await scalar(db, sql`SELECT SUM(version) AS s_count FROM disputes`);
  out["periods.closed"] = await scalar(
    db,
    sql`SELECT COUNT(*) AS n_count FROM periods WHERE status = ${text("closed")}`,
  );
  out["counters.change_seq"] = await scalar(
    db,
    sql`SELECT value AS value_seq FROM counters WHERE name = ${text("change_seq")}`,
  );
  return out;
}

/** Rows a given change set left behind, per table that records its change-set id. */
export async function rowsFromChangeSet(db: SqlExecutor, changeSetId: string): Promise<Record<string, number>> {
  const tables = [
    "documents",
    "receipts",
    "applications",
    "write_offs",
    "receipt_reversals",
    "notes",
    "disputes",
    "gl_journals",
    "audit_log",
    "change_log",
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    out[table] = Number(
      await scalar(db, sql`SELECT COUNT(*) AS n_count FROM ${raw(table)} WHERE changeset_id = ${text(changeSetId)}`),
    );
  }
  out["changesets"] = Number(
    await scalar(db, sql`SELECT COUNT(*) AS n_count FROM changesets WHERE id = ${text(changeSetId)}`),
  );
  return out;
}
