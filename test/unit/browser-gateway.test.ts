import { afterEach, describe, expect, it, vi } from "vitest";
import { createBrowserWorkbook, memoryStorage, type SettingsStorage } from "../../addin/excel/browser-gateway.js";
import { columnLetter, dateToCell, EDITABLE_FILL, moneyFormat, moneyToCell, textToCell } from "../../addin/excel/cells.js";
import type { CellChange, CellValue } from "../../addin/excel/gateway.js";
import {
  formatCellValue,
  parseTypedInput,
  tableTheme,
  WorkbookModel,
} from "../../addin/preview/workbook-model.js";
import { agingSpec, OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { d, money } from "../support/builders.js";
import { CONTRACT_TABLE, runGatewayContract } from "./gateway-contract.js";

runGatewayContract("in-page browser workbook", () => {
  const { gateway, model } = createBrowserWorkbook({ storage: null });
  return {
    gateway,
    simulateUserEdit: (table, row, column, value) => {
      const result = model.setUserValue({ table, row, column }, value);
      if (!result.ok) throw new Error(result.message);
    },
    styleAt: (table, row, column) => {
      const s = model.cellStyle(table, row, column);
      return {
        ...(s.fill === null ? {} : { fill: s.fill }),
        ...(s.fontColor === null ? {} : { fontColor: s.fontColor }),
        bold: s.bold,
        italic: s.italic,
        numberFormat: s.numberFormat,
      };
    },
    displayText: (table, row, column) => model.display(table, row, column).text,
  };
});

const RED = "#C00000";

describe("number formats render as Excel shows them", () => {
  // Expected texts worked out by hand from Excel's format rules: sections are
  // positive;negative;zero, a negative section prints its own sign, halves
  // round away from zero on the 15-digit decimal value.
  const usd = moneyFormat(2); // "#,##0.00;[Red]-#,##0.00"
  const cases: [CellValue, string, string, string | null][] = [
    [1234.5, usd, "1,234.50", null],
    [-1234.5, usd, "-1,234.50", RED],
    [0, usd, "0.00", null],
    [1234567.891, usd, "1,234,567.89", null],
    [999999999999.99, usd, "999,999,999,999.99", null],
    [1.005, "0.00", "1.01", null], // the double is 1.00499…, Excel (15 digits) shows 1.01
    [2.5, "#,##0", "3", null],
    [-2.5, "#,##0", "-3", null], // one section: Excel adds the minus sign
    [-0.001, usd, "-0.00", RED], // negative section used although it rounds to zero
    [1234567, moneyFormat(0), "1,234,567", null], // JPY
    [1.5, moneyFormat(3), "1.500", null], // KWD
    [12, "0", "12", null],
    [12, "@", "12", null],
    [0.1, "General", "0.1", null],
    [0.125, "0.0%", "12.5%", null],
    [-5, "_(#,##0.00_);[Red](#,##0.00)", "(5.00)", RED],
    [5, "_(#,##0.00_);[Red](#,##0.00)", " 5.00 ", null],
    [45322, "yyyy-mm-dd", "2024-01-31", null], // 45292 is 2024-01-01
    [45322, "d mmm yyyy", "31 Jan 2024", null],
    [45322, "dddd", "Wednesday", null], // 2024-01-31 was a Wednesday
    ["abc", usd, "abc", null],
    [true, usd, "TRUE", null],
    [null, usd, "", null],
  ];
  it.each(cases)("%s with %s shows %s", (value, format, text, color) => {
    expect(formatCellValue(value, format)).toEqual({ text, color });
  });
});

describe("typed input is parsed by the column kind, as Excel parses keyboard entry", () => {
  const cases: [string, Parameters<typeof parseTypedInput>[1], CellValue][] = [
    ["1,234.50", "money", 1234.5],
    ["  250 ", "money", 250],
    ["(12.50)", "money", -12.5],
    ["-7", "integer", -7],
    ["12abc", "money", "12abc"],
    ["1.2.3", "money", "1.2.3"],
    ["'=1+1", "text", "=1+1"],
    ["=1+1", "text", "=1+1"], // stored as text: nothing is ever evaluated
    ["", "money", null],
    ["2024-02-29", "date", 45351], // 45322 (Jan 31) + 29 days
    ["2024-02-30", "date", "2024-02-30"],
    ["true", "boolean", true],
    ["False", "boolean", false],
    ["00123", "text", "00123"],
    ["'00123", "money", "00123"],
  ];
  it.each(cases)("%j into a %s column is %j", (text, kind, value) => {
    expect(parseTypedInput(text, kind)).toEqual(value);
  });
});

describe("column letters", () => {
  // 26 one-letter and 26×26 = 676 two-letter columns: index 701 is ZZ, 702 is AAA.
  it.each([
    [0, "A"],
    [25, "Z"],
    [26, "AA"],
    [51, "AZ"],
    [701, "ZZ"],
    [702, "AAA"],
  ])("%i is %s", (index, letter) => {
    expect(columnLetter(index)).toBe(letter);
  });
});

describe("in-page workbook", () => {
  const T = CONTRACT_TABLE.table;
  const aRow = (
    id: string,
    more: Partial<Record<"customer" | "note", string>> & { apply?: CellValue } = {},
  ): CellValue[] => [
    textToCell(more.customer ?? "C-1"),
    dateToCell(d("2024-01-31")),
    moneyToCell(money("10.00", "USD")),
    1,
    false,
    more.apply ?? null,
    more.note ?? null,
    id,
  ];

  async function workbook(
    rows: CellValue[][] = [aRow("a"), aRow("b")],
  ): Promise<ReturnType<typeof createBrowserWorkbook>> {
    const wb = createBrowserWorkbook({ storage: null });
    await wb.gateway.ensureTable(CONTRACT_TABLE);
    await wb.gateway.replaceRows(T, rows, []);
    return wb;
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("a cell written as '=X shows and reads back =X and is not reported as formula-like", async () => {
    const { gateway, model } = await workbook([aRow("a", { customer: "=X" })]);
    expect(textToCell("=X")).toBe("'=X");
    expect((await gateway.readRows(T))[0]?.[0]).toBe("=X");
    expect(model.display(T, 0, "customer").text).toBe("=X");
    expect(model.formulaLikeWrites()).toEqual([]);
  });

  it("text written without the apostrophe is kept as text but reported: Excel would have evaluated it", async () => {
    const { gateway, model } = await workbook();
    await gateway.writeRows(T, 1, [["=SUM(1,2)", null, null, null, null, null, "@x", "b"]], []);
    expect((await gateway.readRows(T))[1]?.[0]).toBe("=SUM(1,2)");
    expect(model.formulaLikeWrites()).toEqual([
      { table: T, row: 1, column: "customer", text: "=SUM(1,2)" },
      { table: T, row: 1, column: "note", text: "@x" },
    ]);
  });

  it("rows of the wrong width are rejected with the row and the counts, and nothing is written", async () => {
    const { gateway } = await workbook();
    await expect(gateway.writeRows(T, 0, [aRow("x"), ["too", "short"]], [])).rejects.toThrow(
      /row 1 has 2 values; the table has 8 columns/,
    );
    expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["a", "b"]);
  });

  it("a style outside the rows written is rejected and leaves the table as it was", async () => {
    const { gateway } = await workbook();
    await expect(
      gateway.replaceRows(T, [aRow("x")], [{ fromRow: 0, toRow: 5, style: { bold: true } }]),
    ).rejects.toThrow(/outside rows 0–0/);
    expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["a", "b"]);
  });

  it("cancelling in the middle of a large write leaves the table as it was", async () => {
    const { gateway } = await workbook();
    const controller = new AbortController();
    const rows = Array.from({ length: 12_000 }, (_, i) => aRow(`n${i}`));
    const write = gateway.replaceRows(T, rows, [], {
      signal: controller.signal,
      onProgress: (written) => {
        if (written === 5_000) controller.abort();
      },
    });
    await expect(write).rejects.toMatchObject({ name: "AbortError" });
    expect((await gateway.readRows(T)).map((r) => r[7])).toEqual(["a", "b"]);
  });

  it("the user's typing is parsed and reported; locked and hidden columns refuse it", async () => {
    const { gateway, model } = await workbook();
    const seen: CellChange[] = [];
    await gateway.onChange(T, (c) => seen.push(...c));
    expect(model.typeIntoCell({ table: T, row: 0, column: "apply" }, "1,250.00")).toEqual({ ok: true });
    expect(model.value(T, 0, "apply")).toBe(1250);

    const locked = model.typeIntoCell({ table: T, row: 0, column: "amount" }, "5");
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    expect(locked.ok ? "" : locked.message).toContain("Amount");
    expect(model.typeIntoCell({ table: T, row: 0, column: "id" }, "hack")).toMatchObject({
      ok: false,
      reason: "locked",
    });
    expect(model.typeIntoCell({ table: T, row: 9, column: "apply" }, "1")).toMatchObject({
      ok: false,
      reason: "no_such_cell",
    });
    expect(model.value(T, 0, "amount")).toBe(10);
    expect(model.value(T, 0, "id")).toBe("a");
    await vi.waitFor(() => {
      expect(seen).toEqual([{ table: T, row: 0, column: "apply" }]);
    });
  });

  it("styles layer: banding, editable yellow, range styles, then value rules", async () => {
    const { gateway, model } = await workbook([aRow("a"), aRow("b"), aRow("c", { note: "late" })]);
    await gateway.ensureTable({ ...CONTRACT_TABLE, style: "TableStyleMedium2" });
    const band = tableTheme("TableStyleMedium2").bandFill;
    expect(band).toBe("#D9E1F2");
    expect(model.cellStyle(T, 0, "amount").fill).toBe(band); // first data row is banded
    expect(model.cellStyle(T, 1, "amount").fill).toBeNull();
    expect(model.cellStyle(T, 1, "apply").fill).toBe(EDITABLE_FILL);
    expect(model.cellStyle(T, 1, "amount").numberFormat).toBe("#,##0.00;[Red]-#,##0.00");
    expect(model.cellStyle(T, 1, "documentDate").numberFormat).toBe("yyyy-mm-dd");
    await gateway.writeRows(
      T,
      2,
      [aRow("c", { note: "late" })],
      [{ fromRow: 2, toRow: 2, style: { fill: "#EEEEEE", bold: true } }],
    );
    await gateway.setValueRules(T, [{ column: "note", equals: ["LATE"], style: { fill: "#FFC7CE" } }]);
    expect(model.cellStyle(T, 2, "note")).toMatchObject({ fill: "#FFC7CE", bold: true }); // rule wins, ignoring case as Excel does
    expect(model.cellStyle(T, 2, "apply")).toMatchObject({ fill: "#EEEEEE", bold: true });
    // A prefix rule matches whatever details follow it, ignoring case; other text is left alone.
    await gateway.setValueRules(T, [{ column: "note", equals: [], startsWith: ["Conflict:"], style: { fill: "#FDE7E9" } }]);
    await gateway.writeRows(T, 2, [aRow("c", { note: "conflict: changed on server (v1 → v2)" })], []);
    expect(model.cellStyle(T, 2, "note").fill).toBe("#FDE7E9");
    await gateway.writeRows(T, 2, [aRow("c", { note: "No conflict: fine" })], []);
    expect(model.cellStyle(T, 2, "note").fill).not.toBe("#FDE7E9");
  });

  it("hidden columns are not shown and the visible ones keep their letters", () => {
    const model = new WorkbookModel();
    model.ensureTable(OPEN_ITEMS);
    const visible = model.visibleColumns(OPEN_ITEMS.table);
    expect(visible.map((c) => c.spec.key)).not.toContain("id");
    expect(visible.map((c) => c.spec.key)).not.toContain("orig:apply");
    const shown = OPEN_ITEMS.columns.filter((c) => c.hidden !== true);
    expect(visible).toHaveLength(shown.length);
    expect(visible.at(-1)).toMatchObject({ letter: columnLetter(shown.length - 1), index: shown.length - 1 });
  });

  it("new aging buckets keep the values of columns that stay, by key", async () => {
    const { gateway } = createBrowserWorkbook({ storage: null });
    const before = agingSpec([30, 60], "due");
    await gateway.ensureTable(before);
    const width = before.columns.length;
    await gateway.replaceRows(
      before.table,
      [Array.from({ length: width }, (_, i) => (i === 0 ? "C-1" : i === width - 2 ? 70 : null))],
      [],
    );
    const after = agingSpec([30, 60, 90], "due");
    await gateway.ensureTable(after);
    const [only] = await gateway.readRows(after.table);
    expect(only).toHaveLength(after.columns.length);
    expect(only?.[0]).toBe("C-1");
    expect(only?.[after.columns.findIndex((c) => c.key === "total")]).toBe(70);
  });

  it("select reveals the cell: its sheet becomes active and the view is asked to scroll", async () => {
    const { gateway, model } = await workbook();
    await gateway.ensureTable({ ...OPEN_ITEMS });
    expect(model.activeSheet).toBe("Contract");
    const before = model.scrollRequest;
    await gateway.select(T, 1, "note");
    expect(model.selection).toEqual({ table: T, row: 1, column: "note" });
    expect(model.scrollRequest).toBe(before + 1);
    model.setActiveSheet("Open Items");
    await gateway.select(T, 0, "apply");
    expect(model.activeSheet).toBe("Contract");
    await expect(gateway.select(T, 2, "note")).rejects.toThrow(/has no row 2/);
    await expect(gateway.select(T, 0, "nope")).rejects.toThrow(/no column "nope"/);
  });

  it("chart data comes from the category and series columns, headers as series names", async () => {
    const { gateway, model } = await workbook([aRow("a", { customer: "Acme" }), aRow("b", { customer: "Bolt" })]);
    await gateway.ensureChart(T, {
      name: "c1",
      title: "t",
      type: "stackedBar",
      categoryColumn: "customer",
      seriesColumns: ["amount", "days"],
    });
    expect(model.chartData(T, "c1")).toEqual({
      categories: ["Acme", "Bolt"],
      series: [
        { name: "Amount", values: [10, 10] },
        { name: "Days", values: [1, 1] },
      ],
    });
    expect(model.chartsOnSheet("Contract").map((c) => c.name)).toEqual(["c1"]);
    await expect(
      gateway.ensureChart(T, { name: "c2", title: "t", type: "stackedBar", categoryColumn: "nope", seriesColumns: [] }),
    ).rejects.toThrow(/no column "nope"/);
  });

  it("writes 100,000 rows and reads them back", async () => {
    const { gateway, model } = await workbook([]);
    const rows = Array.from({ length: 100_000 }, (_, i) => aRow(`r${i}`));
    await gateway.replaceRows(T, rows, [
      { fromRow: 0, toRow: 99_999, columns: ["amount"], style: { numberFormat: moneyFormat(2) } },
    ]);
    expect(model.rowCount(T)).toBe(100_000);
    expect(model.display(T, 99_999, "amount").text).toBe("10.00");
    expect((await gateway.readRows(T))[99_999]?.[7]).toBe("r99999");
  });

  describe("settings", () => {
    function recordingStorage(): SettingsStorage & { readonly data: Map<string, string> } {
      const data = new Map<string, string>();
      return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
    }

    it("are kept per workbook id and survive a new gateway over the same storage", async () => {
      const storage = recordingStorage();
      const one = createBrowserWorkbook({ workbookId: "wb-1", storage }).gateway;
      const two = createBrowserWorkbook({ workbookId: "wb-2", storage }).gateway;
      await one.setSetting("serverUrl", "https://one.example");
      expect(await two.getSetting("serverUrl")).toBeNull();
      expect(await createBrowserWorkbook({ workbookId: "wb-1", storage }).gateway.getSetting("serverUrl")).toBe(
        "https://one.example",
      );
      expect([...storage.data.keys()]).toEqual(["openar:workbook:wb-1:setting:serverUrl"]);
    });

    it("use the page's localStorage when it works", async () => {
      const storage = recordingStorage();
      vi.stubGlobal("localStorage", { ...storage, removeItem: (k: string) => void storage.data.delete(k) });
      await createBrowserWorkbook({ workbookId: "w" }).gateway.setSetting("basis", "due");
      expect(storage.data.get("openar:workbook:w:setting:basis")).toBe("due");
    });

    it("fall back to memory when localStorage is missing or refuses", async () => {
      vi.stubGlobal("localStorage", {
        getItem: () => null,
        setItem: () => {
          throw new DOMException("denied", "SecurityError");
        },
        removeItem: () => undefined,
      });
      const refused = createBrowserWorkbook({ workbookId: "w" }).gateway;
      await refused.setSetting("basis", "document");
      expect(await refused.getSetting("basis")).toBe("document");
      vi.unstubAllGlobals();
      const none = createBrowserWorkbook({ workbookId: "w", storage: memoryStorage() }).gateway;
      expect(await none.getSetting("basis")).toBeNull();
    });
  });
});
