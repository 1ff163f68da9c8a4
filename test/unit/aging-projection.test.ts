/**
 * Aging sheet projection (addin/sheets/aging.ts): the service's aging report
 * → one row per customer and currency, then one bold total row per currency.
 * Totals are worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import { cellToMoney } from "../../addin/excel/cells.js";
import type { CellValue } from "../../addin/excel/gateway.js";
import { agingChart, agingRows } from "../../addin/sheets/aging.js";
import { agingSpec } from "../../addin/sheets/specs.js";
import type { AgingWire } from "../../addin/sync/wire.js";
import { Money } from "../../shared/money.js";
import { cur } from "../support/builders.js";

const EDGES = [30, 60, 90, 120];
const SPEC = agingSpec(EDGES, "due");

const REPORT: AgingWire = {
  asOf: "2026-11-23",
  basis: "due",
  buckets: [
    { key: "current", label: "Current" },
    { key: "1-30", label: "1–30" },
    { key: "31-60", label: "31–60" },
    { key: "61-90", label: "61–90" },
    { key: "91-120", label: "91–120" },
    { key: "over-120", label: "Over 120" },
  ],
  // Deliberately out of order; buckets with nothing in them are sometimes left out.
  customers: [
    { customerId: "cust-zeta", customerNumber: "C-200", customerName: "Zeta Ltd", currency: "USD", buckets: { current: "100.00", "1-30": "50.25", "over-120": "10.00" }, total: "160.25" },
    {
      customerId: "cust-acme",
      customerNumber: "C-100",
      customerName: "Acme Corp",
      currency: "USD",
      buckets: { current: "1000.00", "31-60": "-200.00" },
      total: "800.00",
    },
    {
      customerId: "cust-acme",
      customerNumber: "C-100",
      customerName: "Acme Corp",
      currency: "EUR",
      buckets: { current: "0.00", "1-30": "0.00", "31-60": "300.00", "61-90": "0.00", "91-120": "0.00", "over-120": "0.00" },
      total: "300.00",
    },
    { customerId: "cust-kwt", customerNumber: "C-300", customerName: "Kuwait Trading", currency: "KWD", buckets: { "1-30": "12.345" }, total: "12.345" },
    { customerId: "cust-evil", customerNumber: "C-050", customerName: "=Evil & Co", currency: "JPY", buckets: { "61-90": "150000" }, total: "150000" },
  ],
  totals: [
    { currency: "EUR", buckets: { "31-60": "300.00" }, total: "300.00" },
    { currency: "JPY", buckets: { "61-90": "150000" }, total: "150000" },
    { currency: "KWD", buckets: { "1-30": "12.345" }, total: "12.345" },
    // USD: current 1000.00 + 100.00 = 1100.00; 1–30 50.25; 31–60 −200.00; over 120 10.00;
    // total 800.00 + 160.25 = 960.25 (= 1100.00 + 50.25 − 200.00 + 10.00).
    { currency: "USD", buckets: { current: "1100.00", "1-30": "50.25", "31-60": "-200.00", "over-120": "10.00" }, total: "960.25" },
  ],
};

describe("agingSpec", () => {
  it("has a money column per bucket, a total and a hidden customer id", () => {
    expect(SPEC.columns.map((c) => c.key)).toEqual([
      "customerNumber",
      "customerName",
      "currency",
      "bucket:current",
      "bucket:1-30",
      "bucket:31-60",
      "bucket:61-90",
      "bucket:91-120",
      "bucket:over-120",
      "total",
      "customerId",
    ]);
    expect(SPEC.columns.filter((c) => c.kind === "money").length).toBe(7);
    expect(SPEC.columns.find((c) => c.key === "customerId")?.hidden).toBe(true);
  });

  it("follows custom edges and the document basis", () => {
    expect(agingSpec([15, 45], "document").columns.filter((c) => c.key.startsWith("bucket:")).map((c) => [c.key, c.header])).toEqual([
      ["bucket:0-15", "0–15"],
      ["bucket:16-45", "16–45"],
      ["bucket:over-45", "Over 45"],
    ]);
  });
});

describe("agingRows", () => {
  const { rows, styles, totalRows } = agingRows(REPORT, SPEC, EDGES, "due");

  it("one row per customer and currency, sorted by customer number then currency, then a total row per currency", () => {
    expect(rows).toEqual([
      // The name starts with "=": written as text.
      ["C-050", "'=Evil & Co", "JPY", 0, 0, 0, 150000, 0, 0, 150000, "cust-evil"],
      ["C-100", "Acme Corp", "EUR", 0, 0, 300, 0, 0, 0, 300, "cust-acme"],
      ["C-100", "Acme Corp", "USD", 1000, 0, -200, 0, 0, 0, 800, "cust-acme"],
      ["C-200", "Zeta Ltd", "USD", 100, 50.25, 0, 0, 0, 10, 160.25, "cust-zeta"],
      ["C-300", "Kuwait Trading", "KWD", 0, 12.345, 0, 0, 0, 0, 12.345, "cust-kwt"],
      ["", "Total EUR", "EUR", 0, 0, 300, 0, 0, 0, 300, ""],
      ["", "Total JPY", "JPY", 0, 0, 0, 150000, 0, 0, 150000, ""],
      ["", "Total KWD", "KWD", 0, 12.345, 0, 0, 0, 0, 12.345, ""],
      ["", "Total USD", "USD", 1100, 50.25, -200, 0, 0, 10, 960.25, ""],
    ]);
  });

  it("every bucket is present: a bucket with nothing in it is 0, not empty", () => {
    for (const row of rows) {
      for (let i = 3; i <= 9; i++) expect(typeof row[i]).toBe("number");
    }
  });

  it("the total rows, and only they, are bold, and their range is reported", () => {
    expect(styles).toEqual([{ fromRow: 5, toRow: 8, style: { bold: true, fill: "#EDEBE9" } }]);
    expect(totalRows).toEqual({ from: 5, to: 8 });
  });

  it("never mixes currencies: each total row adds up the rows of its own currency only, and there is no grand total", () => {
    const amount = (row: readonly CellValue[], i: number): Money => cellToMoney(row[i] ?? null, cur(String(row[2])), "cell") ?? Money.zero(String(row[2]));
    const customerRows = rows.slice(0, 5);
    const totalRows = rows.slice(5);
    expect(totalRows.map((r) => r[2])).toEqual(["EUR", "JPY", "KWD", "USD"]);
    for (const total of totalRows) {
      const mine = customerRows.filter((r) => r[2] === total[2]);
      for (let i = 3; i <= 9; i++) {
        const sum = Money.sum(
          mine.map((r) => amount(r, i)),
          String(total[2]),
        );
        expect(sum.toString()).toBe(amount(total, i).toString());
      }
    }
    expect(rows.filter((r) => r[1] === "Total" || r[2] === "" || r[2] === null)).toEqual([]);
  });

  it("an empty report has no rows and no styles", () => {
    expect(agingRows({ ...REPORT, customers: [], totals: [] }, SPEC, EDGES, "due")).toEqual({ rows: [], styles: [], totalRows: null });
  });

  it("custom edges fill their own bucket columns", () => {
    const spec = agingSpec([15, 45], "due");
    const report: AgingWire = {
      ...REPORT,
      customers: [{ customerId: "cust-acme", customerNumber: "C-100", customerName: "Acme Corp", currency: "USD", buckets: { "16-45": "75.00" }, total: "75.00" }],
      totals: [{ currency: "USD", buckets: { "16-45": "75.00" }, total: "75.00" }],
    };
    expect(agingRows(report, spec, [15, 45], "due").rows).toEqual([
      ["C-100", "Acme Corp", "USD", 0, 0, 75, 0, 75, "cust-acme"],
      ["", "Total USD", "USD", 0, 0, 75, 0, 75, ""],
    ]);
  });

  it("refuses an amount with more decimals than its currency has", () => {
    const bad: AgingWire = { ...REPORT, customers: [{ ...REPORT.customers[4], buckets: { "61-90": "1.5" } } as AgingWire["customers"][number]], totals: [] };
    expect(() => agingRows(bad, SPEC, EDGES, "due")).toThrow(/more than 0 decimal places/);
  });
});

describe("agingChart", () => {
  const series = ["bucket:current", "bucket:1-30", "bucket:31-60", "bucket:61-90", "bucket:91-120", "bucket:over-120"];

  it("stacks the bucket columns of the total rows: one bar per currency", () => {
    expect(agingChart(EDGES, "due", { from: 5, to: 8 })).toEqual({
      name: "OpenAR_AgingChart",
      title: "Aging mix per currency (% of open)",
      type: "percentStackedBar",
      categoryColumn: "customerName",
      seriesColumns: series,
      fromRow: 5,
      toRow: 8,
    });
  });

  it("without total rows it charts the whole table", () => {
    const chart = agingChart(EDGES, "due", null);
    expect(chart.seriesColumns).toEqual(series);
    expect("fromRow" in chart || "toRow" in chart).toBe(false);
  });
});
