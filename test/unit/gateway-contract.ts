/**
 * The workbook gateway contract: what every WorkbookGateway must do, written
 * once and run against each implementation (the in-page workbook here, the
 * Office.js gateway over office-addin-mock in its own test file):
 *
 *   runGatewayContract("office gateway", () => ({ gateway, simulateUserEdit, styleAt }));
 *
 * Nothing here knows about browsers or Office. What a gateway cannot show
 * through its own interface comes from optional hooks of the harness: a
 * test that needs a missing hook is reported as skipped, never passed.
 *
 * Behaviour pinned here that gateway.ts leaves open:
 * - empty cells read back as "" (Excel's range.values) or null;
 * - text that looks like a number ("00123") stays text in a text column;
 * - RangeStyle rows are table row indexes, also for writeRows;
 * - writeRows replaces the styles of the rows it writes (a row no longer
 *   flagged must not stay painted as flagged);
 * - change events come from the user's edits only, never from the add-in's writes.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { cellToDate, cellToMoney, cellToText, dateToCell, moneyToCell, textToCell } from "../../addin/excel/cells.js";
import type { CellChange, CellStyle, CellValue, TableSpec, WorkbookGateway } from "../../addin/excel/gateway.js";
import { cur, d, money } from "../support/builders.js";

export interface GatewayHarness {
  readonly gateway: WorkbookGateway;
  /** The user types a value into a cell (Excel: the cell changes and a worksheet change event with source "Local" fires). */
  readonly simulateUserEdit?: (table: string, row: number, column: string, value: CellValue) => void | Promise<void>;
  /** The style a user sees on a cell, value rules included; colours as #RRGGBB in any case. */
  readonly styleAt?: (table: string, row: number, column: string) => CellStyle | Promise<CellStyle>;
  /** The text a user sees in a cell. */
  readonly displayText?: (table: string, row: number, column: string) => string | Promise<string>;
  readonly dispose?: () => void | Promise<void>;
}

/** One column of every kind, an editable pair and a hidden id, like the add-in's own sheets. */
export const CONTRACT_TABLE: TableSpec = {
  sheet: "Contract",
  table: "Contract_Items",
  style: "TableStyleLight9",
  columns: [
    { key: "customer", header: "Customer", kind: "text", editable: false, width: 12 },
    { key: "documentDate", header: "Doc date", kind: "date", editable: false, width: 11 },
    { key: "amount", header: "Amount", kind: "money", editable: false, width: 14 },
    { key: "days", header: "Days", kind: "integer", editable: false, width: 6 },
    { key: "disputed", header: "Disputed", kind: "boolean", editable: false, width: 8 },
    { key: "apply", header: "Apply", kind: "money", editable: true, width: 12 },
    { key: "note", header: "Note", kind: "text", editable: true, width: 30 },
    { key: "id", header: "id", kind: "text", editable: false, hidden: true, width: 8 },
  ],
};

const OTHER_TABLE: TableSpec = {
  sheet: "Contract 2",
  table: "Contract_Other",
  columns: [
    { key: "name", header: "Name", kind: "text", editable: false },
    { key: "note", header: "Note", kind: "text", editable: true },
  ],
};

const T = CONTRACT_TABLE.table;

function row(values: {
  customer?: string;
  documentDate?: CellValue;
  amount?: CellValue;
  days?: CellValue;
  disputed?: CellValue;
  apply?: CellValue;
  note?: CellValue;
  id: string;
}): CellValue[] {
  return [
    textToCell(values.customer ?? "C-1"),
    values.documentDate ?? dateToCell(d("2024-01-31")),
    values.amount ?? moneyToCell(money("100.00", "USD")),
    values.days ?? 0,
    values.disputed ?? false,
    values.apply ?? null,
    values.note ?? null,
    values.id,
  ];
}

const isEmpty = (value: CellValue | undefined): boolean => value === "" || value === null;
const upper = (colour: string | undefined): string | undefined => colour?.toUpperCase();
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

export function runGatewayContract(name: string, makeGateway: () => GatewayHarness | Promise<GatewayHarness>): void {
  describe(`workbook gateway contract: ${name}`, () => {
    let harness: GatewayHarness | undefined;

    async function open(): Promise<GatewayHarness> {
      harness = await makeGateway();
      await harness.gateway.ensureTable(CONTRACT_TABLE);
      return harness;
    }

    afterEach(async () => {
      await harness?.dispose?.();
      harness = undefined;
    });

    describe("ensureTable", () => {
      it("creates an empty table, and calling it again keeps the rows", async () => {
        const { gateway } = await open();
        expect(await gateway.readRows(T)).toEqual([]);
        await gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" })], []);
        await gateway.ensureTable(CONTRACT_TABLE);
        await gateway.ensureTable(CONTRACT_TABLE);
        const rows = await gateway.readRows(T);
        expect(rows.map((r) => r[7])).toEqual(["a", "b"]);
      });

      it("says whether it made the table: created the first time, not after", async () => {
        harness = await makeGateway();
        const { gateway } = harness;
        expect(await gateway.ensureTable(OTHER_TABLE)).toEqual({ created: true });
        await gateway.replaceRows(OTHER_TABLE.table, [["a", null]], []);
        expect(await gateway.ensureTable(OTHER_TABLE)).toEqual({ created: false });
        expect((await gateway.readRows(OTHER_TABLE.table)).map((r) => r[0])).toEqual(["a"]);
        expect(await gateway.ensureTables([OTHER_TABLE, CONTRACT_TABLE])).toEqual([{ created: false }, { created: true }]);
        expect(await gateway.readRows(T)).toEqual([]);
      });

      it("reading a table that was never ensured is rejected", async () => {
        const { gateway } = await open();
        await expect(gateway.readRows("No_Such_Table")).rejects.toThrow();
      });
    });

    describe("values round trip", () => {
      it("every column kind reads back as written", async () => {
        const { gateway } = await open();
        // Serial dates worked out by hand: 2024-01-01 is Excel serial 45292, so
        // 2024-01-31 is 45292 + 30 = 45322; 1999-12-31 is 36525 (1900-01-01 = 1, with Excel's phantom 1900-02-29).
        expect(dateToCell(d("2024-01-31"))).toBe(45322);
        expect(dateToCell(d("1999-12-31"))).toBe(36525);
        const written = [
          row({
            customer: "Acme Corp",
            documentDate: 45322,
            amount: 1234.5,
            days: 17,
            disputed: true,
            apply: 0.01,
            note: "called",
            id: "r1",
          }),
          row({
            customer: "00123",
            documentDate: 36525,
            amount: -0.01,
            days: -3,
            disputed: false,
            apply: 999_999_999.99,
            note: "",
            id: "r2",
          }),
          row({ customer: "Zoë Ünïcode — ✓", amount: 0, days: 0, id: "r3" }),
        ];
        await gateway.replaceRows(T, written, []);
        const read = await gateway.readRows(T);
        expect(read).toHaveLength(3);
        const [r1, r2, r3] = read;
        expect(r1).toEqual(["Acme Corp", 45322, 1234.5, 17, true, 0.01, "called", "r1"]);
        // "00123" is a customer number, not the number 123: text columns keep text.
        expect(r2?.slice(0, 6)).toEqual(["00123", 36525, -0.01, -3, false, 999_999_999.99]);
        expect(isEmpty(r2?.[6])).toBe(true);
        expect(r3?.[0]).toBe("Zoë Ünïcode — ✓");
        expect(isEmpty(r3?.[5])).toBe(true);
        expect(isEmpty(r3?.[6])).toBe(true);
        // And back through the cell functions the add-in reads with.
        expect(cellToMoney(r1?.[2] ?? null, cur("USD"), "amount")?.toString()).toBe("1234.50");
        expect(cellToMoney(r2?.[5] ?? null, cur("USD"), "apply")?.toString()).toBe("999999999.99");
        expect(cellToDate(r2?.[1] ?? null, "documentDate")).toBe("1999-12-31");
        expect(cellToMoney(r3?.[5] ?? null, cur("USD"), "apply")).toBeNull();
      });

      it("readRowsWithValues returns the whole rows with something in the given columns, with their indexes", async () => {
        const { gateway } = await open();
        expect(await gateway.readRowsWithValues(T, ["apply", "note"])).toEqual([]);
        const rows = ["a", "b", "c", "d", "e", "f"].map((id) => row({ id }));
        rows[1] = row({ id: "b", apply: 25 });
        rows[2] = row({ id: "c", note: "call back" });
        rows[3] = row({ id: "d", apply: 5, note: "both" });
        rows[5] = row({ id: "f", note: "" });
        await gateway.replaceRows(T, rows, []);
        const found = await gateway.readRowsWithValues(T, ["apply", "note"]);
        expect(found.map((r) => r.index)).toEqual([1, 2, 3]);
        expect(found.map((r) => r.values[7])).toEqual(["b", "c", "d"]);
        expect(found[0]?.values[5]).toBe(25);
        expect(found[2]?.values[6]).toBe("both");
        expect((await gateway.readRowsWithValues(T, ["note"])).map((r) => r.index)).toEqual([2, 3]);
        await expect(gateway.readRowsWithValues(T, ["nope"])).rejects.toThrow();
      });

      it("writeRows overwrites in place and appends past the end", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" }), row({ id: "c" })], []);
        await gateway.writeRows(T, 1, [row({ id: "B", note: "changed" })], []);
        await gateway.writeRows(T, 3, [row({ id: "d" }), row({ id: "e" })], []);
        const read = await gateway.readRows(T);
        expect(read.map((r) => r[7])).toEqual(["a", "B", "c", "d", "e"]);
        expect(read[1]?.[6]).toBe("changed");
      });

      it("replaceRows replaces everything, also with fewer rows or none", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" }), row({ id: "c" })], []);
        await gateway.replaceRows(T, [row({ id: "x" })], []);
        expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["x"]);
        await gateway.replaceRows(T, [], []);
        expect(await gateway.readRows(T)).toEqual([]);
      });

      it("deleteRows removes the given rows in any order and keeps the others in order", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(
          T,
          ["a", "b", "c", "d", "e"].map((id) => row({ id })),
          [],
        );
        await gateway.deleteRows(T, [1, 4, 3]);
        expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["a", "c"]);
      });

      it("large writes go in chunks with progress up to the total", async () => {
        const { gateway } = await open();
        const total = 12_001; // three chunks of at most 5,000 rows
        const rows = Array.from({ length: total }, (_, i) => row({ id: `r${i}`, amount: i }));
        const progress: [number, number][] = [];
        await gateway.replaceRows(T, rows, [], { onProgress: (written, all) => progress.push([written, all]) });
        expect(progress.length).toBeGreaterThanOrEqual(3);
        expect(progress.at(-1)).toEqual([total, total]);
        for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
        const read = await gateway.readRows(T);
        expect(read).toHaveLength(total);
        expect(read[12_000]?.[2]).toBe(12_000);
      });

      it("a write whose signal is already aborted is rejected and changes nothing", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(T, [row({ id: "kept" })], []);
        const controller = new AbortController();
        controller.abort();
        await expect(
          gateway.replaceRows(T, [row({ id: "new" })], [], { signal: controller.signal }),
        ).rejects.toBeDefined();
        expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["kept"]);
      });
    });

    describe("text safety", () => {
      const dangerous = [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1:A2)",
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
      ];

      it("server text that looks like a formula is stored and read as that text, never evaluated", async () => {
        const h = await open();
        await h.gateway.replaceRows(
          T,
          dangerous.map((text, i) => row({ id: `x${i}`, customer: text })),
          [],
        );
        const read = await h.gateway.readRows(T);
        expect(read.map((r) => cellToText(r[0] ?? null))).toEqual(dangerous);
        // Never a number: "=1+1" is not 2 and "-1" is not -1.
        expect(read.every((r) => typeof r[0] === "string")).toBe(true);
        if (h.displayText !== undefined) {
          for (let i = 0; i < dangerous.length; i++) expect(await h.displayText(T, i, "customer")).toBe(dangerous[i]);
        }
      });
    });

    describe("styles", () => {
      it("range styles land on the given rows and columns only", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.replaceRows(
          T,
          ["a", "b", "c"].map((id) => row({ id })),
          [
            { fromRow: 1, toRow: 2, columns: ["amount"], style: { fill: "#FFC7CE", fontColor: "#9C0006", bold: true } },
            { fromRow: 0, toRow: 0, style: { italic: true } },
          ],
        );
        const styled = await h.styleAt(T, 1, "amount");
        expect(upper(styled.fill)).toBe("#FFC7CE");
        expect(upper(styled.fontColor)).toBe("#9C0006");
        expect(styled.bold).toBe(true);
        expect(upper((await h.styleAt(T, 2, "amount")).fill)).toBe("#FFC7CE");
        expect(upper((await h.styleAt(T, 1, "customer")).fill)).not.toBe("#FFC7CE");
        expect((await h.styleAt(T, 0, "note")).italic).toBe(true);
        expect((await h.styleAt(T, 1, "note")).italic ?? false).toBe(false);
      });

      it("number formats are applied", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.replaceRows(
          T,
          [row({ id: "a" })],
          [{ fromRow: 0, toRow: 0, columns: ["amount"], style: { numberFormat: "#,##0;[Red]-#,##0" } }],
        );
        expect((await h.styleAt(T, 0, "amount")).numberFormat).toBe("#,##0;[Red]-#,##0");
      });

      it("writeRows styles use table row indexes and replace the earlier styles of the rows written", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.replaceRows(
          T,
          ["a", "b", "c"].map((id) => row({ id })),
          [{ fromRow: 1, toRow: 2, style: { fill: "#FF0000" } }],
        );
        await h.gateway.writeRows(
          T,
          2,
          [row({ id: "c2" })],
          [{ fromRow: 2, toRow: 2, columns: ["note"], style: { fill: "#00FF00" } }],
        );
        expect(upper((await h.styleAt(T, 2, "note")).fill)).toBe("#00FF00");
        expect(upper((await h.styleAt(T, 2, "amount")).fill)).not.toBe("#FF0000");
        // Row 1 was not written and keeps its fill.
        expect(upper((await h.styleAt(T, 1, "amount")).fill)).toBe("#FF0000");
      });

      it("value rules style matching cells, or whole rows, and follow later writes", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.replaceRows(T, [row({ id: "a", note: "late" }), row({ id: "b", note: "fine" })], []);
        await h.gateway.setValueRules(T, [
          { column: "note", equals: ["late"], style: { fill: "#F8CBAD" } },
          { column: "customer", equals: ["Blocked"], style: { fontColor: "#C00000" }, wholeRow: true },
        ]);
        expect(upper((await h.styleAt(T, 0, "note")).fill)).toBe("#F8CBAD");
        expect(upper((await h.styleAt(T, 1, "note")).fill)).not.toBe("#F8CBAD");
        await h.gateway.writeRows(T, 1, [row({ id: "b", customer: "Blocked" })], []);
        expect(upper((await h.styleAt(T, 1, "amount")).fontColor)).toBe("#C00000");
        expect(upper((await h.styleAt(T, 0, "amount")).fontColor)).not.toBe("#C00000");
      });

      it("value rules passed with replaceRows apply as setValueRules would, replacing earlier ones", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.setValueRules(T, [{ column: "note", equals: ["late"], style: { fill: "#F8CBAD" } }]);
        await h.gateway.replaceRows(T, [row({ id: "a", note: "late" }), row({ id: "b", note: "paid" })], [], {
          valueRules: [{ column: "note", equals: ["paid"], style: { fontColor: "#C00000" } }],
        });
        expect(upper((await h.styleAt(T, 1, "note")).fontColor)).toBe("#C00000");
        expect(upper((await h.styleAt(T, 0, "note")).fontColor)).not.toBe("#C00000");
        // The earlier rule is gone: the rules of a write replace the table's rules.
        expect(upper((await h.styleAt(T, 0, "note")).fill)).not.toBe("#F8CBAD");
      });

      it("a value rule with columns styles those columns of the matching row, not the cell it tests", async (ctx) => {
        const h = await open();
        if (h.styleAt === undefined) return ctx.skip("harness has no styleAt hook");
        await h.gateway.replaceRows(T, [row({ id: "a", customer: "JPY" }), row({ id: "b", customer: "USD" })], []);
        await h.gateway.setValueRules(T, [
          {
            column: "customer",
            equals: ["JPY"],
            columns: ["amount", "apply"],
            style: { numberFormat: "#,##0;[Red]-#,##0" },
          },
        ]);
        expect((await h.styleAt(T, 0, "amount")).numberFormat).toBe("#,##0;[Red]-#,##0");
        expect((await h.styleAt(T, 0, "apply")).numberFormat).toBe("#,##0;[Red]-#,##0");
        expect((await h.styleAt(T, 0, "customer")).numberFormat).not.toBe("#,##0;[Red]-#,##0");
        expect((await h.styleAt(T, 1, "amount")).numberFormat).not.toBe("#,##0;[Red]-#,##0");
      });
    });

    describe("settings", () => {
      it("round trip per key; a missing key is null; the empty string is a value", async () => {
        const { gateway } = await open();
        expect(await gateway.getSetting("serverUrl")).toBeNull();
        await gateway.setSetting("serverUrl", "https://ar.example.com");
        await gateway.setSetting("buckets", "30,60,90,120");
        await gateway.setSetting("serverUrl", "https://ar2.example.com");
        await gateway.setSetting("filter", "");
        expect(await gateway.getSetting("serverUrl")).toBe("https://ar2.example.com");
        expect(await gateway.getSetting("buckets")).toBe("30,60,90,120");
        expect(await gateway.getSetting("filter")).toBe("");
      });
    });

    describe("change events", () => {
      it("fire on the user's edits with table, row and column; never on the add-in's writes; stop after unsubscribe", async (ctx) => {
        const h = await open();
        const edit = h.simulateUserEdit;
        if (edit === undefined) return ctx.skip("harness has no simulateUserEdit hook");
        await h.gateway.ensureTable(OTHER_TABLE);
        await h.gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" })], []);
        await h.gateway.replaceRows(OTHER_TABLE.table, [["x", null]], []);
        const seen: CellChange[] = [];
        const unsubscribe = await h.gateway.onChange(T, (changes) => seen.push(...changes));

        await h.gateway.writeRows(T, 0, [row({ id: "a", note: "written by the add-in" })], []);
        await h.gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" })], []);
        await h.gateway.deleteRows(T, [1]);
        await h.gateway.writeRows(T, 1, [row({ id: "b" })], []);
        await settle();
        expect(seen).toEqual([]);

        await edit(T, 1, "apply", 25);
        await vi.waitFor(() => {
          expect(seen).toContainEqual({ table: T, row: 1, column: "apply" });
        });
        expect((await h.gateway.readRows(T))[1]?.[5]).toBe(25);

        // An edit in another table is not this table's event.
        const before = seen.length;
        await edit(OTHER_TABLE.table, 0, "note", "other");
        await settle();
        expect(seen.length).toBe(before);

        await unsubscribe();
        await edit(T, 0, "note", "after unsubscribe");
        await settle();
        expect(seen.length).toBe(before);
        expect((await h.gateway.readRows(T))[0]?.[6]).toBe("after unsubscribe");
      });
    });

    describe("select and charts", () => {
      it("select resolves for an existing cell and rejects for a missing table", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(T, [row({ id: "a" })], []);
        await expect(gateway.select(T, 0, "apply")).resolves.toBeUndefined();
        await expect(gateway.select("No_Such_Table", 0, "apply")).rejects.toThrow();
      });

      it("ensureChart creates and then updates a chart without error", async () => {
        const { gateway } = await open();
        await gateway.replaceRows(T, [row({ id: "a" })], []);
        const chart = {
          name: "ContractChart",
          title: "Amounts",
          type: "stackedBar",
          categoryColumn: "customer",
          seriesColumns: ["amount"],
        } as const;
        await gateway.ensureChart(T, chart);
        await gateway.ensureChart(T, { ...chart, seriesColumns: ["amount", "apply"] });
      });

      it("a chart passed with a write is made with it; a chart naming a missing column is refused", async () => {
        const { gateway } = await open();
        const chart = {
          name: "ContractChart",
          title: "Amounts",
          type: "percentStackedBar",
          categoryColumn: "customer",
          seriesColumns: ["amount"],
        } as const;
        await gateway.replaceRows(T, [row({ id: "a" }), row({ id: "b" })], [], { chart });
        await gateway.replaceRows(T, [row({ id: "c" })], [], { chart });
        expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["c"]);
        await expect(gateway.ensureChart(T, { ...chart, seriesColumns: ["nope"] })).rejects.toThrow();
        await expect(
          gateway.replaceRows(T, [row({ id: "d" })], [], { chart: { ...chart, seriesColumns: ["nope"] } }),
        ).rejects.toThrow();
        expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["c"]);
      });
    });
  });
}
