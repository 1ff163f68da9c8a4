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

/** Editable columns of Open Items; the Payments issue gives them behaviour. */
export const OPEN_ITEMS_EDITABLE = ["apply", "note"] as const;

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
    col("apply", "Apply", "money", 12, { editable: true }),
    col("note", "New note", "text", 30, { editable: true }),
    col("status", "Sync status", "text", 26),
    hidden("id"),
    hidden("kind"),
    hidden("customerId"),
    hidden("version", "integer"),
    hidden("orig:apply", "money"),
    hidden("orig:note"),
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
