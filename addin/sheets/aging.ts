/** Aging sheet: one row per customer and currency, then a total row per currency. */
import { agingBuckets, type AgingBasis } from "../../shared/aging.js";
import { parseCurrency } from "../../shared/currency.js";
import { Money } from "../../shared/money.js";
import { moneyToCell, textToCell } from "../excel/cells.js";
import type { CellValue, ChartSpec, RangeStyle, TableSpec } from "../excel/gateway.js";
import type { AgingWire } from "../sync/wire.js";

export const TOTAL_PREFIX = "Total ";

export function agingRows(
  report: AgingWire,
  spec: TableSpec,
  edges: readonly number[],
  basis: AgingBasis,
): { rows: CellValue[][]; styles: RangeStyle[]; totalRows: { from: number; to: number } | null } {
  const buckets = agingBuckets(edges, basis);
  const keys = spec.columns.map((c) => c.key);
  const blank = () => new Array<CellValue>(keys.length).fill(null);
  const put = (row: CellValue[], key: string, value: CellValue) => {
    const i = keys.indexOf(key);
    if (i < 0) throw new Error(`Aging has no column ${key}`);
    row[i] = value;
  };
  const amount = (text: string | undefined, currency: string) => moneyToCell(Money.parse(text ?? "0", parseCurrency(currency)));
  const rows: CellValue[][] = [];
  const sorted = [...report.customers].sort((a, b) => a.customerNumber.localeCompare(b.customerNumber) || a.currency.localeCompare(b.currency));
  for (const c of sorted) {
    const row = blank();
    put(row, "customerNumber", textToCell(c.customerNumber));
    put(row, "customerName", textToCell(c.customerName));
    put(row, "currency", c.currency);
    for (const b of buckets) put(row, `bucket:${b.key}`, amount(c.buckets[b.key], c.currency));
    put(row, "total", amount(c.total, c.currency));
    put(row, "customerId", c.customerId);
    rows.push(row);
  }
  const firstTotal = rows.length;
  for (const t of report.totals) {
    const row = blank();
    put(row, "customerNumber", "");
    put(row, "customerName", `${TOTAL_PREFIX}${t.currency}`);
    put(row, "currency", t.currency);
    for (const b of buckets) put(row, `bucket:${b.key}`, amount(t.buckets[b.key], t.currency));
    put(row, "total", amount(t.total, t.currency));
    put(row, "customerId", "");
    rows.push(row);
  }
  const styles: RangeStyle[] =
    rows.length > firstTotal ? [{ fromRow: firstTotal, toRow: rows.length - 1, style: { bold: true, fill: "#EDEBE9" } }] : [];
  return { rows, styles, totalRows: rows.length > firstTotal ? { from: firstTotal, to: rows.length - 1 } : null };
}

/**
 * The chart stacks the buckets of each currency's total row as shares of
 * that currency's open total: one bar per currency, readable however many
 * customers there are, never adding amounts of different currencies, and
 * comparable even between USD and JPY.
 */
export function agingChart(edges: readonly number[], basis: AgingBasis, totalRows: { from: number; to: number } | null): ChartSpec {
  return {
    name: "OpenAR_AgingChart",
    title: "Aging mix per currency (% of open)",
    // 100% bars: one bar per currency, comparable however different the currencies' magnitudes.
    type: "percentStackedBar",
    categoryColumn: "customerName",
    seriesColumns: agingBuckets(edges, basis).map((b) => `bucket:${b.key}`),
    ...(totalRows === null ? {} : { fromRow: totalRows.from, toRow: totalRows.to }),
  };
}
