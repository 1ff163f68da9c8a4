import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CellValue, ColumnSpec, TableSpec } from "../../addin/excel/gateway.js";
import { EDITABLE_FILL, EDITABLE_FONT_COLOR, columnLetter } from "../../addin/excel/cells.js";
import {
  createOfficeGateway,
  ruleFormula,
  parseA1,
  planChunks,
  splitAreas,
  widthInPoints,
} from "../../addin/excel/office-gateway.js";
import { OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { recordingExcel, type RecordedCall, type RecordingExcel, type SyncRecord } from "../support/office-mock.js";

const SPEC: TableSpec = {
  sheet: "Items",
  table: "T_Items",
  style: "TableStyleLight9",
  columns: [
    { key: "number", header: "Document", kind: "text", editable: false, width: 14 },
    { key: "date", header: "Doc date", kind: "date", editable: false, width: 11 },
    { key: "amount", header: "Amount", kind: "money", editable: false, width: 14 },
    { key: "days", header: "Days", kind: "integer", editable: false, width: 8 },
    { key: "flag", header: "Flag", kind: "boolean", editable: false },
    { key: "apply", header: "Apply", kind: "money", editable: true, width: 12 },
    { key: "note", header: "Note", kind: "text", editable: true, width: 30 },
    { key: "id", header: "id", kind: "text", editable: false, hidden: true, width: 8 },
  ],
};
const COL = Object.fromEntries(SPEC.columns.map((c, i) => [c.key, i])) as Record<string, number>;

const row = (i: number): CellValue[] => [
  `INV-${i}`,
  45_000 + (i % 365),
  100.25,
  i % 90,
  i % 2 === 0,
  null,
  "",
  `id-${i}`,
];
const rows = (n: number, make = row): CellValue[][] => Array.from({ length: n }, (_, i) => make(i));

/** Syncs that carry a values write, and that write. */
function valueWrites(syncs: readonly SyncRecord[]): { sync: SyncRecord; call: RecordedCall; index: number }[] {
  return syncs.flatMap((sync) =>
    sync.calls.map((call, index) => ({ sync, call, index })).filter((x) => x.call.op === "range.values"),
  );
}

let excel: RecordingExcel;
let restore: () => void;

beforeEach(() => {
  excel = recordingExcel();
  restore = excel.install();
});
afterEach(() => {
  restore();
});

describe("planChunks", () => {
  it("cuts 12,345 rows into 5,000 + 5,000 + 2,345", () => {
    const chunks = planChunks(new Array<number>(12_345).fill(100));
    expect(chunks.map((c) => [c.from, c.count])).toEqual([
      [0, 5000],
      [5000, 5000],
      [10_000, 2345],
    ]);
  });

  it("shrinks chunks when rows are wide", () => {
    // Budget 4,000,000 − 65,536 = 3,934,464 bytes; each 1,000-byte row costs 1,001 with its comma,
    // a chunk starts at 2 bytes ("[]"): 2 + 1,001·n ≤ 3,934,464 ⇒ n ≤ 3,930.4 ⇒ 3,930 rows.
    const chunks = planChunks(new Array<number>(10_000).fill(1000));
    expect(chunks.map((c) => c.count)).toEqual([3930, 3930, 2140]);
    for (const c of chunks) expect(c.bytes).toBeLessThan(4_000_000);
  });

  it("counts style commands in the budget", () => {
    // 1,000 style commands of 160 bytes on row 0 take 160,000 bytes of the first chunk.
    const commands = new Array<number>(10_000).fill(0);
    commands[0] = 1000;
    const [first] = planChunks(new Array<number>(10_000).fill(1000), commands);
    // 2 + 160,000 + 1,001·n ≤ 3,934,464 ⇒ n ≤ 3,770.6 ⇒ 3,770 rows.
    expect(first?.count).toBe(3770);
  });

  it("refuses a row larger than one request", () => {
    expect(() => planChunks([10, 5_000_000])).toThrow(/row 1 needs about 5000001 bytes/);
  });
});

describe("value rule formulas", () => {
  it("tests whole values and prefixes (LEFT), quoting text the Excel way", () => {
    const at = { keyColumn: "K", firstColumn: "A", lastColumn: "Z", row: 2 };
    expect(ruleFormula({ column: "status", equals: ["Posted"], style: {} }, at)).toBe('=$K2="Posted"');
    expect(ruleFormula({ column: "status", equals: ['Say "hi"'], startsWith: ["Conflict:"], style: {} }, at)).toBe(
      '=OR($K2="Say ""hi""",LEFT($K2,9)="Conflict:")',
    );
  });
});

describe("A1 helpers", () => {
  it("names columns like Excel", () => {
    expect([0, 25, 26, 51, 701, 702].map(columnLetter)).toEqual(["A", "Z", "AA", "AZ", "ZZ", "AAA"]);
  });

  it("parses cell, range, column and row addresses", () => {
    expect(parseA1("$C$5:D7")).toEqual({ row: 4, column: 2, rowCount: 3, columnCount: 2 });
    expect(parseA1("'Open Items'!B2")).toEqual({ row: 1, column: 1, rowCount: 1, columnCount: 1 });
    expect(parseA1("C:D")).toEqual({ row: 0, column: 2, rowCount: Infinity, columnCount: 2 });
    expect(parseA1("3:5")).toEqual({ row: 2, column: 0, rowCount: 3, columnCount: Infinity });
    expect(() => parseA1("A1B")).toThrow(/not an A1 address/);
  });

  it("turns character widths into points", () => {
    // (11 characters · 7 px + 5 px padding) · 0.75 pt/px = 61.5 pt
    expect(widthInPoints(11)).toBe(61.5);
  });
});

describe("Office gateway: bulk writes", () => {
  it("writes 12,345 rows in three syncs of 5,000, 5,000 and 2,345 rows; after one read when it does not know where the table is", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.reset();
    // The table was just made: where it is and how big is known, so no read comes first.
    await gateway.replaceRows(SPEC.table, rows(12_345), []);
    const writes = valueWrites(excel.syncs);
    expect(writes.map((w) => w.call.rect?.rowCount)).toEqual([5000, 5000, 2345]);
    expect(writes.map((w) => w.call.rect?.row)).toEqual([1, 5001, 10_001]);
    expect(new Set(writes.map((w) => w.sync)).size).toBe(3);
    expect(excel.syncs).toHaveLength(3);
    expect(excel.table(SPEC.table).dataRows).toBe(12_345);
    expect(excel.cell("Items", 12_345, COL.number!).value).toBe("INV-12344");

    // It wrote the table, so it knows where it is.
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(12_345), []);
    expect(excel.syncs).toHaveLength(3);
    // A delete makes it forget: the next write reads first.
    await gateway.deleteRows(SPEC.table, [0]);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(12_345), []);
    expect(excel.syncs).toHaveLength(4);
    expect(valueWrites(excel.syncs).map((w) => excel.syncs.indexOf(w.sync))).toEqual([1, 2, 3]);
  });

  it("a new table changed between ensureTable and the first write is written again where it really is", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    // Another gateway (another task pane, another session) fills it first.
    const other = createOfficeGateway();
    await other.ensureTable(SPEC);
    await other.replaceRows(SPEC.table, rows(7), []);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(3), []);
    expect(excel.table(SPEC.table).dataRows).toBe(3);
    expect(excel.cell("Items", 3, COL.number!).value).toBe("INV-2");
    expect(excel.cell("Items", 4, COL.number!).value).toBe("");
    expect(excel.sheet("Items").protected).toBe(true);
    // The assumed geometry failed its check in the first round trip; the rows cut off were
    // tidied away and the write done again after a read.
    expect(excel.syncs).toHaveLength(4);
  });

  it("ensures several tables in two round trips, a third only to rebuild one whose columns changed", async () => {
    const other: TableSpec = { ...SPEC, sheet: "Other", table: "T_Other" };
    excel.reset();
    expect(await createOfficeGateway().ensureTables([SPEC, other])).toEqual([{ created: true }, { created: true }]);
    expect(excel.syncs).toHaveLength(2);
    excel.reset();
    expect(await createOfficeGateway().ensureTables([SPEC, other])).toEqual([{ created: false }, { created: false }]);
    expect(excel.syncs).toHaveLength(2);
    const wider: TableSpec = { ...other, columns: [...other.columns, { key: "extra", header: "Extra", kind: "text", editable: false }] };
    excel.reset();
    expect(await createOfficeGateway().ensureTables([SPEC, wider])).toEqual([{ created: false }, { created: true }]);
    expect(excel.syncs).toHaveLength(3);
    expect(excel.table("T_Other").columnCount).toBe(wider.columns.length);
    expect(excel.sheet("Other").protected).toBe(true);
  });

  it("ensureTable says whether it made the table", async () => {
    const gateway = createOfficeGateway();
    expect(await gateway.ensureTable(SPEC)).toEqual({ created: true });
    expect(await gateway.ensureTable(SPEC)).toEqual({ created: false });
    expect(await createOfficeGateway().ensureTable(SPEC)).toEqual({ created: false });
  });

  it("keeps every sync under 4 MB for wide rows by writing fewer rows per chunk", async () => {
    const wide: TableSpec = {
      sheet: "Wide",
      table: "T_Wide",
      columns: Array.from({ length: 40 }, (_, i): ColumnSpec => ({
        key: `c${i}`,
        header: `C${i}`,
        kind: "text",
        editable: false,
      })),
    };
    const gateway = createOfficeGateway();
    await gateway.ensureTable(wide);
    excel.reset();
    // 40 cells of 36 characters: about 40 · 39 = 1,560 bytes a row, 7.8 MB per 5,000 rows.
    const text = "x".repeat(30);
    const data = rows(10_000, (i) =>
      Array.from({ length: 40 }, (_, c) => `${text}${String(i).padStart(5, "0")}${c % 10}`),
    );
    await gateway.replaceRows(wide.table, data, []);
    const writes = valueWrites(excel.syncs);
    expect(writes.length).toBeGreaterThanOrEqual(4); // 15.6 MB cannot go in fewer than four 4 MB requests
    for (const w of writes) expect(w.call.rect?.rowCount).toBeLessThan(5000);
    expect(writes.reduce((n, w) => n + (w.call.rect?.rowCount ?? 0), 0)).toBe(10_000);
    for (const s of excel.syncs) expect(s.bytes).toBeLessThan(4_000_000);
    expect(excel.maxSyncBytes()).toBeGreaterThan(3_000_000); // the chunks are filled, not timid
    expect(excel.cell("Wide", 10_000, 39).value).toBe(`${text}099999`);
  });

  it("pulls 100,000 open items in at most ⌈rows/5,000⌉ + 5 syncs, none over 4 MB", async () => {
    const gateway = createOfficeGateway();
    const n = 100_000;
    const data = rows(n, (i) =>
      OPEN_ITEMS.columns.map((c): CellValue => {
        switch (c.kind) {
          case "text":
            return c.editable ? "" : `${c.key}-${i}`;
          case "date":
            return 45_000 + (i % 400);
          case "money":
            return c.editable ? null : 1234.56;
          case "integer":
            return i % 120;
          case "boolean":
            return false;
        }
      }),
    );
    await gateway.ensureTable(OPEN_ITEMS);
    await gateway.replaceRows(OPEN_ITEMS.table, data, [
      { fromRow: 0, toRow: n - 1, columns: ["status"], style: { italic: true } },
    ]);
    await gateway.setValueRules(OPEN_ITEMS.table, [{ column: "bucket", equals: ["90+"], style: { fill: "#F1B0B0" } }]);
    // ensureTable 2 (look, create) + replaceRows 1 + 20 chunks + setValueRules 2 = 25 = ⌈100,000/5,000⌉ + 5.
    expect(excel.syncs.length).toBeLessThanOrEqual(Math.ceil(n / 5000) + 5);
    expect(valueWrites(excel.syncs).filter((w) => w.call.rect!.row > 0)).toHaveLength(20); // the header is row 0
    expect(excel.maxSyncBytes()).toBeLessThan(4_000_000);
  });

  it("never syncs once per row", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.reset();
    const styles = Array.from({ length: 300 }, (_, i) => ({ fromRow: i * 10, toRow: i * 10, style: { bold: true } }));
    await gateway.replaceRows(SPEC.table, rows(3000), styles);
    expect(excel.syncs).toHaveLength(1);
    await gateway.replaceRows(SPEC.table, rows(3000), styles);
    expect(excel.syncs).toHaveLength(2);
  });

  it("writes each chunk's values before that chunk's styles, and each style in the chunk of its rows", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(12_345), [
      { fromRow: 0, toRow: 12_344, columns: ["amount"], style: { bold: true } },
      { fromRow: 7000, toRow: 7001, style: { fill: "#ABCDEF" } },
    ]);
    const writes = valueWrites(excel.syncs);
    expect(writes).toHaveLength(3);
    for (const { sync, call, index } of writes) {
      const first = call.rect!.row;
      const last = first + call.rect!.rowCount - 1;
      const styleCalls = sync.calls
        .map((c, i) => ({ c, i }))
        .filter(
          ({ c }) => c.op === "range.format.font.bold" || (c.op === "range.format.fill.color" && c.value === "#ABCDEF"),
        );
      expect(styleCalls.length).toBeGreaterThan(0);
      for (const { c, i } of styleCalls) {
        expect(i).toBeGreaterThan(index);
        expect(c.rect!.row).toBeGreaterThanOrEqual(first);
        expect(c.rect!.row + c.rect!.rowCount - 1).toBeLessThanOrEqual(last);
      }
    }
    // The fill of rows 7000–7001 (sheet rows 7001–7002) travels with the second chunk only.
    const fills = writes.map(({ sync }) => sync.calls.filter((c) => c.value === "#ABCDEF").length);
    expect(fills).toEqual([0, 1, 0]);
    expect(excel.cell("Items", 7001, 0).fill).toBe("#ABCDEF");
    expect(excel.cell("Items", 7003, 0).fill).toBeNull();
    expect(excel.cell("Items", 12_345, COL.amount!).bold).toBe(true);
    expect(excel.cell("Items", 12_345, COL.days!).bold).toBe(false);
  });

  it("suspends calculation and screen updating for every sync that writes values", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(12_345), []);
    const writes = valueWrites(excel.syncs);
    for (const { sync } of writes) {
      expect(sync.calculationSuspended).toBe(true);
      expect(sync.screenUpdatingSuspended).toBe(true);
    }
  });

  it("reports progress after each chunk", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const seen: [number, number][] = [];
    await gateway.replaceRows(SPEC.table, rows(12_345), [], {
      onProgress: (written, total) => {
        seen.push([written, total]);
      },
    });
    expect(seen).toEqual([
      [5000, 12_345],
      [10_000, 12_345],
      [12_345, 12_345],
    ]);
  });

  it("stops between chunks when cancelled and leaves the sheet protected", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const controller = new AbortController();
    const write = gateway.replaceRows(SPEC.table, rows(12_345), [], {
      signal: controller.signal,
      onProgress: () => {
        controller.abort();
      },
    });
    await expect(write).rejects.toMatchObject({ name: "AbortError" });
    expect(excel.sheet("Items").protected).toBe(true);
    expect(excel.cell("Items", 5000, 0).value).toBe("INV-4999");
    expect(excel.cell("Items", 5001, 0).value).toBe("");
  });

  it("protects the sheet again when a sync fails halfway", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.failSync(2); // 0: read geometry, 1: first chunk, 2: second chunk
    await expect(gateway.replaceRows(SPEC.table, rows(12_345), [])).rejects.toThrow(/the workbook went away/);
    expect(excel.sheet("Items").protected).toBe(true);
  });
});

describe("Office gateway: tables and formats", () => {
  it("creates the sheet and table: headers, style, frozen header, protection that allows sort and filter", async () => {
    await createOfficeGateway().ensureTable(SPEC);
    const table = excel.table(SPEC.table);
    expect(table).toMatchObject({
      sheet: "Items",
      headerRow: 0,
      firstColumn: 0,
      columnCount: 8,
      dataRows: 1,
      style: "TableStyleLight9",
    });
    expect(table.headers).toEqual(SPEC.columns.map((c) => c.header));
    const sheet = excel.sheet("Items");
    expect(sheet.frozenRows).toBe(1);
    expect(sheet.protected).toBe(true);
    expect(sheet.protectionOptions).toMatchObject({
      allowSort: true,
      allowAutoFilter: true,
      allowFormatCells: true,
      allowFormatColumns: true,
      allowFormatRows: true,
    });
    expect(excel.syncs).toHaveLength(2);
  });

  it("sets a number format per column kind: text @, dates yyyy-mm-dd, money, integers, booleans", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(3), []);
    const formatAt = (key: string) => excel.cell("Items", 2, COL[key]!).numberFormat;
    expect(formatAt("number")).toBe("@");
    expect(formatAt("note")).toBe("@");
    expect(formatAt("date")).toBe("yyyy-mm-dd");
    expect(formatAt("amount")).toBe("#,##0.00;[Red]-#,##0.00");
    expect(formatAt("apply")).toBe("#,##0.00;[Red]-#,##0.00");
    expect(formatAt("days")).toBe("0");
    expect(formatAt("flag")).toBe("General");
    // The header row is text too, so a header like "1-30" stays a label.
    expect(excel.cell("Items", 0, COL.date!).numberFormat).toBe("@");
  });

  it("sets widths in points and hides the bookkeeping columns", async () => {
    await createOfficeGateway().ensureTable(SPEC);
    const sheet = excel.sheet("Items");
    // (14·7 + 5)·0.75 = 77.25; (11·7 + 5)·0.75 = 61.5; (30·7 + 5)·0.75 = 161.25
    expect(sheet.columnWidths.get(COL.number!)).toBe(77.25);
    expect(sheet.columnWidths.get(COL.date!)).toBe(61.5);
    expect(sheet.columnWidths.get(COL.note!)).toBe(161.25);
    expect(sheet.columnWidths.has(COL.flag!)).toBe(false);
    expect([...sheet.hiddenColumns]).toEqual([COL.id]);
  });

  it("unlocks and styles editable columns; locks read-only ones", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(10), []);
    for (const key of ["apply", "note"]) {
      const cell = excel.cell("Items", 5, COL[key]!);
      expect(cell).toMatchObject({ locked: false, fill: EDITABLE_FILL, fontColor: EDITABLE_FONT_COLOR });
    }
    expect(EDITABLE_FILL).toBe("#FFF9E5");
    for (const key of ["number", "amount", "id"]) {
      const cell = excel.cell("Items", 5, COL[key]!);
      expect(cell).toMatchObject({ locked: true, fill: null, fontColor: null });
    }
    expect(excel.sheet("Items").protected).toBe(true);
  });

  it("applies a RangeStyle's number format to its rows only (JPY amounts without decimals)", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(5), [
      { fromRow: 2, toRow: 3, columns: ["amount"], style: { numberFormat: "#,##0;[Red]-#,##0" } },
    ]);
    expect(excel.cell("Items", 3, COL.amount!).numberFormat).toBe("#,##0;[Red]-#,##0");
    expect(excel.cell("Items", 4, COL.amount!).numberFormat).toBe("#,##0;[Red]-#,##0");
    expect(excel.cell("Items", 5, COL.amount!).numberFormat).toBe("#,##0.00;[Red]-#,##0.00");
    expect(excel.cell("Items", 3, COL.apply!).numberFormat).toBe("#,##0.00;[Red]-#,##0.00");
  });

  it("drops the fills of an earlier pull when rows are replaced", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(5), [{ fromRow: 1, toRow: 1, style: { fill: "#FDE7E9" } }]);
    expect(excel.cell("Items", 2, COL.number!).fill).toBe("#FDE7E9");
    await gateway.replaceRows(SPEC.table, rows(5), []);
    expect(excel.cell("Items", 2, COL.number!).fill).toBeNull();
    expect(excel.cell("Items", 2, COL.note!).fill).toBe(EDITABLE_FILL);
  });

  it("is idempotent: a second ensureTable only looks", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(4), []);
    excel.reset();
    await gateway.ensureTable(SPEC);
    expect(excel.syncs).toHaveLength(2);
    expect(excel.syncs.flatMap((s) => s.calls)).toEqual([]);
    expect(excel.table(SPEC.table).dataRows).toBe(4);
  });

  it("rebuilds its own table when the columns changed (new bucket edges)", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(4), []);
    const changed: TableSpec = {
      ...SPEC,
      columns: [
        ...SPEC.columns.slice(0, 7),
        { key: "extra", header: "Extra", kind: "text", editable: false },
        ...SPEC.columns.slice(7),
      ],
    };
    await gateway.ensureTable(changed);
    expect(excel.table(SPEC.table)).toMatchObject({ columnCount: 9, dataRows: 1 });
    expect(excel.table(SPEC.table).headers).toContain("Extra");
    expect(excel.sheet("Items").protected).toBe(true);
  });

  it("refuses to take over a sheet of the same name that holds the user's data", async () => {
    excel.addSheet("Items");
    excel.typeInto("Items", 0, 0, "my notes");
    await expect(createOfficeGateway().ensureTable(SPEC)).rejects.toThrow(
      /A sheet named "Items" already exists and holds other data/,
    );
  });

  it("uses an empty sheet of the same name", async () => {
    excel.addSheet("Items");
    await createOfficeGateway().ensureTable(SPEC);
    expect(excel.table(SPEC.table).sheet).toBe("Items");
  });

  it("asks for ensureTable before anything else", async () => {
    await expect(createOfficeGateway().readRows(SPEC.table)).rejects.toThrow(/call ensureTable/);
  });
});

describe("Office gateway: text safety", () => {
  const dangerous = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "=1+1"];

  it("writes server text that looks like a formula as text, into a @ column", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const data = dangerous.map((text, i) => {
      const r = row(i);
      r[COL.number!] = text;
      r[COL.note!] = text;
      return r;
    });
    await gateway.replaceRows(SPEC.table, data, []);
    const written = valueWrites(excel.syncs).at(-1)!.call.value as CellValue[][];
    expect(written[0]![COL.number!]).toBe(`'=HYPERLINK("http://x")`);
    expect(written.map((r) => r[COL.note!])).toEqual(dangerous.map((t) => `'${t}`));
    dangerous.forEach((text, i) => {
      const cell = excel.cell("Items", 1 + i, COL.number!);
      expect(cell.formula).toBe(false);
      expect(cell.value).toBe(text);
      expect(cell.numberFormat).toBe("@");
    });
  });

  it("escapes formula-like strings in any column, not only text ones", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const r = row(0);
    r[COL.amount!] = "=1+1";
    await gateway.replaceRows(SPEC.table, [r], []);
    expect(excel.cell("Items", 1, COL.amount!)).toMatchObject({ formula: false, value: "=1+1" });
  });

  it("keeps document numbers and bucket labels as typed: the @ format is in place before the values", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const r = row(0);
    r[COL.number!] = "00123";
    r[COL.note!] = "1-30";
    await gateway.replaceRows(SPEC.table, [r], []);
    expect(excel.cell("Items", 1, COL.number!).value).toBe("00123");
    expect(excel.cell("Items", 1, COL.note!).value).toBe("1-30");
  });

  it("clears a cell whose new value is null (Office.js would keep the old one)", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const before = row(0);
    before[COL.apply!] = 50;
    await gateway.replaceRows(SPEC.table, [before], []);
    expect(excel.cell("Items", 1, COL.apply!).value).toBe(50);
    await gateway.replaceRows(SPEC.table, [row(0)], []);
    expect(excel.cell("Items", 1, COL.apply!).value).toBe("");
  });

  it("refuses rows of the wrong width and numbers Excel cannot hold, before touching the sheet", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    excel.reset();
    await expect(gateway.replaceRows(SPEC.table, [row(0).slice(1)], [])).rejects.toThrow(
      /rows\[0\] has 7 cells, table T_Items has 8 columns/,
    );
    const bad = row(0);
    bad[COL.amount!] = Number.NaN;
    await expect(gateway.replaceRows(SPEC.table, [bad], [])).rejects.toThrow(
      /rows\[0\]\.amount: NaN cannot be written/,
    );
    expect(excel.syncs).toHaveLength(0);
  });
});

describe("Office gateway: reading, growing, shrinking", () => {
  it("reads back what it wrote, in chunks, empty cells as empty strings", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(12_000), []);
    excel.reset();
    const back = await gateway.readRows(SPEC.table);
    expect(back).toHaveLength(12_000);
    expect(back[11_999]).toEqual([
      "INV-11999",
      45_000 + (11_999 % 365),
      100.25,
      11_999 % 90,
      false,
      "",
      "",
      "id-11999",
    ]);
    // Reads are bounded by the response size, not by the writes' 5,000 rows: where the table
    // is (with its first row, a first estimate of a row's weight), then two halves.
    expect(excel.syncs.length).toBeLessThanOrEqual(3);
    for (const s of excel.syncs) expect(s.responseBytes).toBeLessThan(4_000_000);
  });

  it("reads wide rows in as many chunks as keep each response under 4 MB", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const note = "n".repeat(1_000);
    const wide = rows(12_000).map((r) => r.map((cell, c) => (c === COL.note ? note : cell)));
    await gateway.replaceRows(SPEC.table, wide, []);
    excel.reset();
    const back = await gateway.readRows(SPEC.table);
    expect(back).toHaveLength(12_000);
    expect(back[11_999]?.[COL.note!]).toBe(note);
    // About 12 MB of values: at least three responses after the geometry read, none over the limit.
    expect(excel.syncs.length).toBeGreaterThanOrEqual(1 + 3);
    for (const s of excel.syncs) expect(s.responseBytes).toBeLessThan(4_000_000);
  });

  it("reads rows much heavier than the first ones again in smaller pieces", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const note = "n".repeat(2_000);
    // 2,000 light rows, then 6,000 rows of 2 KB: the estimate from the light rows is far too low.
    const mixed = rows(8_000).map((r, i) => r.map((cell, c) => (c === COL.note && i >= 2_000 ? note : cell)));
    await gateway.replaceRows(SPEC.table, mixed, []);
    excel.reset();
    const back = await gateway.readRows(SPEC.table);
    expect(back.map((r) => r[COL.id!])).toEqual(mixed.map((r) => r[COL.id!]));
    expect(back[7_999]?.[COL.note!]).toBe(note);
    // Some responses were refused as too large and read again smaller.
    expect(excel.syncs.some((s) => s.responseBytes > 4_000_000)).toBe(true);
  });

  it("finds rows with input in two round trips, one when there is none, without reading the table", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const all = rows(30_000);
    await gateway.replaceRows(SPEC.table, all, []);
    excel.reset();
    expect(await gateway.readRowsWithValues(SPEC.table, ["apply", "note"])).toEqual([]);
    expect(excel.syncs).toHaveLength(1);
    // The clerk types into a few rows, two of them next to each other.
    const edited = [3, 4, 17_000, 29_999];
    await gateway.writeRows(SPEC.table, 3, [[...all[3]!.slice(0, COL.apply), 10, ...all[3]!.slice(COL.apply! + 1)]], []);
    for (const [i, r] of edited.slice(1).entries()) {
      const values = [...all[r]!];
      values[i === 0 ? COL.apply! : COL.note!] = i === 0 ? 4 : "promised Friday";
      await gateway.writeRows(SPEC.table, r, [values], []);
    }
    excel.reset();
    const found = await gateway.readRowsWithValues(SPEC.table, ["apply", "note"]);
    expect(found.map((r) => r.index)).toEqual(edited);
    expect(found.map((r) => r.values[COL.id!])).toEqual(edited.map((r) => `id-${r}`));
    expect(found[3]?.values[COL.note!]).toBe("promised Friday");
    expect(excel.syncs).toHaveLength(2);
    expect(Math.max(...excel.syncs.map((s) => s.responseBytes))).toBeLessThan(10_000);
  });

  it("reads a long run of heavy edited rows in pieces that keep each response under 4 MB", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    // A light first row, then 6,000 consecutive rows with a 2 KB note typed into each:
    // one run of about 12 MB, far heavier than the first row suggests.
    const note = "n".repeat(2_000);
    const all = rows(8_000).map((r, i) => r.map((cell, c) => (c === COL.note && i >= 1_000 && i < 7_000 ? note : cell)));
    await gateway.replaceRows(SPEC.table, all, []);
    excel.reset();
    const found = await gateway.readRowsWithValues(SPEC.table, ["note"]);
    expect(found.map((r) => r.index)).toEqual(Array.from({ length: 6_000 }, (_, i) => 1_000 + i));
    expect(found[5_999]?.values[COL.id!]).toBe("id-6999");
    expect(found[5_999]?.values[COL.note!]).toBe(note);
    // What Excel refused as too large was read again in smaller pieces; everything it answered fitted.
    const answered = excel.syncs.filter((s) => s.responseBytes <= 4_000_000);
    expect(answered.length).toBeGreaterThanOrEqual(1 + 3);
  });

  it("splits an address of several areas, commas in quoted sheet names included", () => {
    expect(splitAreas("'Open Items'!P2:P3,'Open Items'!Q5")).toEqual(["'Open Items'!P2:P3", "'Open Items'!Q5"]);
    expect(splitAreas("'A, B'!C3,'A, B'!D4:E9")).toEqual(["'A, B'!C3", "'A, B'!D4:E9"]);
    expect(splitAreas("")).toEqual([]);
  });

  it("treats a table whose only row is blank as empty", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    expect(await gateway.readRows(SPEC.table)).toEqual([]);
    await gateway.replaceRows(SPEC.table, rows(3), []);
    await gateway.replaceRows(SPEC.table, [], []);
    expect(excel.table(SPEC.table).dataRows).toBe(1);
    expect(await gateway.readRows(SPEC.table)).toEqual([]);
  });

  it("shrinks with one delete of the surplus rows after reading where the table is", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(10), []);
    await gateway.deleteRows(SPEC.table, [9]); // a delete: the gateway no longer trusts what it knew
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(3), []);
    expect(excel.syncs).toHaveLength(2);
    const deletes = excel.syncs.flatMap((s) => s.calls).filter((c) => c.op === "range.delete");
    expect(deletes.map((c) => c.rect)).toEqual([{ row: 4, column: 0, rowCount: 6, columnCount: 8 }]);
    expect(excel.table(SPEC.table).dataRows).toBe(3);
  });

  it("shrinks a table it knows with one resize, clearing the rows left below, without a read", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(10), []);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(3), []);
    expect(excel.syncs).toHaveLength(1);
    const calls = excel.syncs.flatMap((s) => s.calls);
    expect(calls.filter((c) => c.op === "table.resize").map((c) => c.rect)).toEqual([{ row: 0, column: 0, rowCount: 4, columnCount: 8 }]);
    expect(calls.filter((c) => c.op === "range.clear" && c.value === "All").map((c) => c.rect)).toEqual([
      { row: 4, column: 0, rowCount: 7, columnCount: 8 },
    ]);
    expect(excel.table(SPEC.table).dataRows).toBe(3);
    expect(excel.cell("Items", 4, COL.number!).value).toBe("");
    expect(excel.cell("Items", 3, COL.number!).value).toBe("INV-2");
  });

  it("a known table grown by someone else since is put back and written again after a read", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(4), []);
    const other = createOfficeGateway();
    await other.ensureTable(SPEC);
    await other.replaceRows(SPEC.table, rows(9), []);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(2), []);
    expect(excel.table(SPEC.table).dataRows).toBe(2);
    for (let r = 3; r <= 10; r++) expect(excel.cell("Items", r, COL.number!).value).toBe("");
    expect(excel.cell("Items", 2, COL.number!).value).toBe("INV-1");
    expect(excel.sheet("Items").protected).toBe(true);
    expect(excel.syncs).toHaveLength(4); // on trust (refused by its check), repair, read, write
  });

  it("overwrites and appends with writeRows", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(3), []);
    await gateway.writeRows(SPEC.table, 2, [row(100), row(101)], [{ fromRow: 3, toRow: 3, style: { italic: true } }]);
    const back = await gateway.readRows(SPEC.table);
    expect(back.map((r) => r[0])).toEqual(["INV-0", "INV-1", "INV-100", "INV-101"]);
    expect(excel.cell("Items", 4, 0).italic).toBe(true);
    expect(excel.cell("Items", 4, COL.note!).fill).toBe(EDITABLE_FILL);
  });

  it("deletes rows bottom-up in runs and keeps one blank row when all go", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(8), []);
    excel.reset();
    await gateway.deleteRows(SPEC.table, [1, 3, 2, 7]);
    const deletes = excel.syncs.flatMap((s) => s.calls).filter((c) => c.op === "range.delete");
    expect(deletes.map((c) => [c.rect?.row, c.rect?.rowCount])).toEqual([
      [8, 1],
      [2, 3],
    ]);
    expect((await gateway.readRows(SPEC.table)).map((r) => r[0])).toEqual(["INV-0", "INV-4", "INV-5", "INV-6"]);
    await gateway.deleteRows(SPEC.table, [0, 1, 2, 3]);
    expect(await gateway.readRows(SPEC.table)).toEqual([]);
    expect(excel.cell("Items", 1, COL.note!).fill).toBe(EDITABLE_FILL);
    expect(excel.sheet("Items").protected).toBe(true);
    await expect(gateway.deleteRows(SPEC.table, [0])).rejects.toThrow(/row 0 is not one of the 0 rows/);
  });

  it("clears the user's filter before changing the number of rows", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(3), []);
    excel.filter(SPEC.table);
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(6), []);
    const ops = excel.syncs.flatMap((s) => s.calls).map((c) => c.op);
    expect(ops.indexOf("table.clearFilters")).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf("table.clearFilters")).toBeLessThan(ops.indexOf("table.resize"));
  });
});

describe("Office gateway: value rules, chart, events, selection", () => {
  it("adds conditional formats whose formulas test the row's cell, so they follow edits", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.setValueRules(SPEC.table, [
      { column: "note", equals: ["Edited", 'say "hi"'], style: { fill: "#DEECF9", fontColor: "#004578" } },
      { column: "number", equals: ["X"], style: { bold: true }, wholeRow: true },
      { column: "note", equals: ["JPY"], columns: ["amount", "apply"], style: { numberFormat: "#,##0;[Red]-#,##0" } },
      { column: "note", equals: [""], style: { italic: true } },
    ]);
    const cfs = excel.sheet("Items").conditionalFormats;
    // Each add goes on top: the last rule comes first.
    expect(cfs.map((cf) => [cf.formula, cf.rect.column, cf.rect.columnCount])).toEqual([
      ["=AND(LEN($G2)=0,COUNTA($A2:$H2)>0)", 6, 1],
      ['=$G2="JPY"', 5, 1],
      ['=$G2="JPY"', 2, 1],
      ['=$A2="X"', 0, 8],
      ['=OR($G2="Edited",$G2="say ""hi""")', 6, 1],
    ]);
    for (const cf of cfs) expect(cf.rect).toMatchObject({ row: 1, rowCount: 1_048_575 });
    expect(cfs[4]).toMatchObject({ type: "Custom", fill: "#DEECF9", fontColor: "#004578" });
    expect(cfs[1]).toMatchObject({ numberFormat: "#,##0;[Red]-#,##0" });
    await gateway.setValueRules(SPEC.table, [{ column: "number", equals: ["Y"], style: { bold: true } }]);
    expect(excel.sheet("Items").conditionalFormats.map((cf) => cf.formula)).toEqual(['=$A2="Y"']);
    expect(excel.sheet("Items").protected).toBe(true);
    await expect(gateway.setValueRules(SPEC.table, [{ column: "nope", equals: ["x"], style: {} }])).rejects.toThrow(
      /has no column "nope"/,
    );
  });

  it("makes a stacked bar chart of the category and series columns, replacing an older one", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(5), []);
    const chart = {
      name: "Buckets",
      title: "Aging",
      type: "stackedBar" as const,
      categoryColumn: "number",
      seriesColumns: ["amount", "apply"],
    };
    await gateway.ensureChart(SPEC.table, chart);
    await gateway.ensureChart(SPEC.table, chart);
    const charts = excel.sheet("Items").charts;
    expect(charts).toHaveLength(1);
    const made = charts[0]!;
    expect(made).toMatchObject({ name: "Buckets", type: "BarStacked", title: "Aging", reversePlotOrder: true });
    const body = (column: number) => ({ row: 1, column, rowCount: 5, columnCount: 1 });
    expect(made.series).toEqual([
      { name: "Amount", values: body(COL.amount!), xValues: body(COL.number!) },
      { name: "Apply", values: body(COL.apply!), xValues: body(COL.number!) },
    ]);
    expect(made.position).toMatchObject({ row: 0, column: 9 });
    expect(excel.sheet("Items").protected).toBe(true);
  });

  it("makes the same chart with the last chunk of a write, new table or not, without syncs of its own", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    const chart = {
      name: "Buckets",
      title: "Aging",
      type: "percentStackedBar" as const,
      categoryColumn: "number",
      seriesColumns: ["amount", "apply"],
    };
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(5), [], { chart });
    expect(excel.syncs).toHaveLength(1);
    const body = (column: number, rowCount: number) => ({ row: 1, column, rowCount, columnCount: 1 });
    const expectChart = (rowCount: number) => {
      const charts = excel.sheet("Items").charts;
      expect(charts).toHaveLength(1);
      expect(charts[0]).toMatchObject({ name: "Buckets", type: "BarStacked100", title: "Aging", reversePlotOrder: true });
      expect(charts[0]!.series).toEqual([
        { name: "Amount", values: body(COL.amount!, rowCount), xValues: body(COL.number!, rowCount) },
        { name: "Apply", values: body(COL.apply!, rowCount), xValues: body(COL.number!, rowCount) },
      ]);
      expect(excel.sheet("Items").protected).toBe(true);
    };
    expectChart(5);
    // Written again with more rows: the old chart is replaced, not doubled, still in one round trip.
    excel.reset();
    await gateway.replaceRows(SPEC.table, rows(8), [], { chart });
    expect(excel.syncs).toHaveLength(1);
    expectChart(8);
    // Another session (a new gateway) finds the chart when it checks the table.
    const again = createOfficeGateway();
    await again.ensureTable(SPEC);
    excel.reset();
    await again.replaceRows(SPEC.table, rows(6), [], { chart });
    expect(excel.syncs).toHaveLength(1);
    expectChart(6);
    // The user deleted the chart meanwhile: the write on trust fails and is done again carefully.
    await Excel.run(async (context) => {
      context.workbook.worksheets.getItem("Items").charts.getItem("Buckets").delete();
      await context.sync();
    });
    await again.replaceRows(SPEC.table, rows(7), [], { chart });
    expectChart(7);
    await expect(gateway.replaceRows(SPEC.table, rows(2), [], { chart: { ...chart, seriesColumns: ["nope"] } })).rejects.toThrow(
      /has no column "nope"/,
    );
    expect(excel.table(SPEC.table).dataRows).toBe(7);
  });

  it("reports user edits as table rows and column keys, and ignores its own writes", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(5), []);
    const seen: unknown[] = [];
    const unsubscribe = await gateway.onChange(SPEC.table, (changes) => seen.push(...changes));
    await excel.fireChange("Items", "G3:G4");
    await excel.fireChange("Items", "A1"); // the header row
    await excel.fireChange("Items", "K2"); // beside the table
    await excel.fireChange("Items", "F2", "ThisLocalAddin");
    expect(seen).toEqual([
      { table: SPEC.table, row: 1, column: "note" },
      { table: SPEC.table, row: 2, column: "note" },
    ]);
    await unsubscribe();
    await excel.fireChange("Items", "F2");
    expect(seen).toHaveLength(2);
  });

  it("selects a cell of the table on its sheet", async () => {
    const gateway = createOfficeGateway();
    await gateway.ensureTable(SPEC);
    await gateway.replaceRows(SPEC.table, rows(5), []);
    await gateway.select(SPEC.table, 3, "apply");
    expect(excel.activeSheet).toBe("Items");
    expect(excel.selection).toEqual({
      sheet: "Items",
      rect: { row: 4, column: COL.apply, rowCount: 1, columnCount: 1 },
    });
  });
});

describe("Office gateway: workbook settings (office-addin-mock)", () => {
  it("stores, saves and reads settings", async () => {
    const gateway = createOfficeGateway();
    expect(await gateway.getSetting("serverUrl")).toBeNull();
    await gateway.setSetting("serverUrl", "https://ar.example.com");
    expect(excel.settings.saves).toBe(1);
    expect(await gateway.getSetting("serverUrl")).toBe("https://ar.example.com");
  });

  it("never stores a token in the workbook", async () => {
    await expect(createOfficeGateway().setSetting("authToken", "abc")).rejects.toThrow(/credentials are never stored/);
    expect(excel.settings.values.size).toBe(0);
  });

  it("says when saving fails", async () => {
    excel.settings.failNextSave = "the document is read-only";
    await expect(createOfficeGateway().setSetting("basis", "due")).rejects.toThrow(
      /saving workbook settings failed: the document is read-only/,
    );
  });
});
