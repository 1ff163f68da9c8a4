/**
 * The bare baselines every figure is divided by: the least a database can do
 * to answer the same question over the same rows. Plain SQL text that runs
 * unchanged on SQLite and PostgreSQL.
 */

/** Aging's baseline: one GROUP BY over the stored open amounts, no as-of, no buckets, no customer names. */
export const BARE_AGING_SQL =
  "SELECT customer_id, currency, SUM(open_minor) AS open_minor FROM documents WHERE open_minor > 0 GROUP BY customer_id, currency";

/**
 * The pull's baseline: the same open items (documents with an open amount,
 * unapplied cash) with their customer's number and name, read by one plain
 * SELECT — no as-of arithmetic, buckets, paging or notes.
 */
export function bareOpenItemsSelect(): string {
  return [
    "SELECT d.id, d.doc_type AS kind, d.customer_id, c.number AS customer_number, c.name AS customer_name, c.collector, d.number,",
    " d.document_date, d.due_date, d.currency, d.amount_minor, d.open_minor, d.disputed, d.version",
    " FROM documents d JOIN customers c ON c.id = d.customer_id WHERE d.open_minor > 0",
    " UNION ALL",
    " SELECT r.id, 'unappliedCash' AS kind, r.customer_id, c.number AS customer_number, c.name AS customer_name, c.collector, r.reference,",
    " r.receipt_date, r.receipt_date, r.currency, r.amount_minor, r.unapplied_minor, 0, r.version",
    " FROM receipts r JOIN customers c ON c.id = r.customer_id WHERE r.unapplied_minor > 0 AND r.reversed = 0",
  ].join("");
}
