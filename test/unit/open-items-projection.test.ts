/**
 * Open Items sheet projection (addin/sheets/open-items.ts): server items →
 * rows, bucket labels, value rules, and what counts as a clerk's edit.
 * Serials and day counts are worked out by hand in the comments (see
 * cells.test.ts for the serial arithmetic: 2026-11-23 is 46349).
 */
import { describe, expect, it } from "vitest";
import type { CellValue, ValueRule } from "../../addin/excel/gateway.js";
import {
  ageRow,
  bucketLabels,
  carryEdits,
  editedColumns,
  openItemRow,
  openItemsValueRules,
  rowCell,
  rowId,
  rowVersion,
  sameCell,
  STATUS,
  withStatus,
  type AgingView,
} from "../../addin/sheets/open-items.js";
import { OPEN_ITEMS } from "../../addin/sheets/specs.js";
import { DomainError } from "../../shared/errors.js";
import { d } from "../support/builders.js";
import { asReadBack } from "../support/fake-gateway.js";
import { anOpenItem } from "../support/fake-server.js";

const DEFAULT_VIEW: AgingView = { asOf: d("2026-11-23"), basis: "due", edges: [30, 60, 90, 120] };
const labels = bucketLabels(DEFAULT_VIEW);

const cell = (row: readonly CellValue[], key: string): CellValue => rowCell(row, key);
const put = (row: CellValue[], key: string, value: CellValue): CellValue[] => {
  const index = OPEN_ITEMS.columns.findIndex((c) => c.key === key);
  if (index < 0) throw new Error(`no column ${key}`);
  row[index] = value;
  return row;
};

// Serials: 2026-11-23 = 46349, so 2026-11-01 = 46349 − 22 = 46327, 2026-11-02 = 46328,
// 2026-10-01 = 46327 − 31 = 46296, 2026-09-01 = 46296 − 30 = 46266.
const INVOICE = anOpenItem({
  id: "inv-1001",
  number: "INV-1001",
  documentDate: "2026-09-01",
  dueDate: "2026-10-01",
  amount: "1250.00",
  open: "750.50",
  // 2026-10-01 → 2026-11-01 is 31 days, → 2026-11-23 is 22 more: 53 days past due.
  days: 53,
  bucket: "31-60",
  version: 2,
  lastNote: { kind: "call", body: "Promised to pay Friday", at: "2026-11-20T14:03:00.000Z" },
});

describe("openItemRow", () => {
  it("an invoice fills every column, in the spec's order", () => {
    expect(OPEN_ITEMS.columns.map((c) => c.key)).toEqual([
      "customerNumber",
      "customerName",
      "type",
      "number",
      "documentDate",
      "dueDate",
      "currency",
      "amount",
      "open",
      "days",
      "bucket",
      "disputed",
      "lastNote",
      "promise",
      "promiseStatus",
      "apply",
      "discount",
      "writeOff",
      "writeOffReason",
      "from",
      "dispute",
      "disputeAmount",
      "note",
      "status",
      "id",
      "kind",
      "customerId",
      "version",
      "terms",
      "disputeId",
      "orig:apply",
      "orig:discount",
      "orig:writeOff",
      "orig:writeOffReason",
      "orig:from",
      "orig:dispute",
      "orig:disputeAmount",
      "orig:note",
    ]);
    expect(openItemRow(INVOICE, labels)).toEqual([
      "C-100",
      "Acme Corp",
      "Invoice",
      "INV-1001",
      46266,
      46296,
      "USD",
      1250,
      750.5,
      53,
      // The label, with an en dash, not the key "31-60".
      "31–60",
      "",
      "2026-11-20 call: Promised to pay Friday",
      // No promise to pay.
      "",
      "",
      // The eight editable columns start empty, then the sync status.
      ...Array<string>(8).fill(""),
      "",
      "inv-1001",
      "invoice",
      "cust-acme",
      2,
      "NET 30",
      // No open dispute.
      "",
      // What was pulled for each editable column: nothing.
      ...Array<string>(8).fill(""),
    ]);
  });

  it("a debit memo is labelled as one", () => {
    expect(cell(openItemRow(anOpenItem({ id: "dm-1", kind: "debitMemo" }), labels), "type")).toBe("Debit memo");
  });

  it("a credit memo shows negative amounts, aged from its own date", () => {
    const row = openItemRow(
      anOpenItem({ id: "cm-7", kind: "creditMemo", number: "CM-7", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "-200.00", open: "-200.00", days: 22, bucket: "1-30" }),
      labels,
    );
    expect(cell(row, "type")).toBe("Credit memo");
    expect(cell(row, "amount")).toBe(-200);
    expect(cell(row, "open")).toBe(-200);
    expect(cell(row, "documentDate")).toBe(46327);
    expect(cell(row, "days")).toBe(22);
    expect(cell(row, "bucket")).toBe("1–30");
    expect(cell(row, "kind")).toBe("creditMemo");
  });

  it("unapplied cash shows the receipt's reference as its number, negative", () => {
    const row = openItemRow(
      anOpenItem({ id: "rcp-9", kind: "unappliedCash", number: "CHK 5521", documentDate: "2026-11-02", dueDate: "2026-11-02", amount: "-300.00", open: "-120.25", days: 21, bucket: "1-30" }),
      labels,
    );
    expect(cell(row, "type")).toBe("Unapplied cash");
    expect(cell(row, "number")).toBe("CHK 5521");
    expect(cell(row, "amount")).toBe(-300);
    expect(cell(row, "open")).toBe(-120.25);
    expect(cell(row, "dueDate")).toBe(46328);
    expect(cell(row, "id")).toBe("rcp-9");
  });

  it("a disputed item says Yes; an undisputed one is empty", () => {
    expect(cell(openItemRow(anOpenItem({ id: "a", disputed: true }), labels), "disputed")).toBe("Yes");
    expect(cell(openItemRow(anOpenItem({ id: "b", disputed: false }), labels), "disputed")).toBe("");
  });

  it("the last note is date, kind and body, cut at 250 characters; no note is empty", () => {
    const long = openItemRow(anOpenItem({ id: "a", lastNote: { kind: "email", body: "x".repeat(300), at: "2026-11-20T08:00:00.000Z" } }), labels);
    // "2026-11-20 email: " is 18 characters, so 232 x's fit in 250.
    expect(cell(long, "lastNote")).toBe(`2026-11-20 email: ${"x".repeat(232)}`);
    expect(cell(openItemRow(anOpenItem({ id: "b", lastNote: null }), labels), "lastNote")).toBe("");
  });

  it("amounts follow the currency's decimals: JPY whole yen, KWD fils", () => {
    const jpy = openItemRow(anOpenItem({ id: "j", currency: "JPY", amount: "150000", open: "98765" }), labels);
    expect([cell(jpy, "currency"), cell(jpy, "amount"), cell(jpy, "open")]).toEqual(["JPY", 150000, 98765]);
    const kwd = openItemRow(anOpenItem({ id: "k", currency: "KWD", amount: "12.345", open: "0.005" }), labels);
    expect([cell(kwd, "currency"), cell(kwd, "amount"), cell(kwd, "open")]).toEqual(["KWD", 12.345, 0.005]);
  });

  it("refuses amounts with more decimals than the currency has, and unknown currencies", () => {
    expect(() => openItemRow(anOpenItem({ id: "a", amount: "10.005" }), labels)).toThrow(DomainError);
    expect(() => openItemRow(anOpenItem({ id: "a", currency: "JPY", amount: "10.5" }), labels)).toThrow(/more than 0 decimal places/);
    expect(() => openItemRow(anOpenItem({ id: "a", currency: "XXX" }), labels)).toThrow(/not a known ISO 4217 currency/);
  });

  it("server text that looks like a formula is written as text", () => {
    const row = openItemRow(anOpenItem({ id: "a", customerNumber: "+44", customerName: '=HYPERLINK("http://evil.example","pay here")', number: "-123" }), labels);
    expect(cell(row, "customerNumber")).toBe("'+44");
    expect(cell(row, "customerName")).toBe(`'=HYPERLINK("http://evil.example","pay here")`);
    expect(cell(row, "number")).toBe("'-123");
    // The hidden id is ours, not shown, and keeps its exact text.
    expect(cell(row, "id")).toBe("a");
  });

  it("an unknown bucket key is shown as it came", () => {
    expect(cell(openItemRow(anOpenItem({ id: "a", bucket: "weird" }), labels), "bucket")).toBe("weird");
  });
});

describe("bucketLabels", () => {
  it("default edges on the due basis", () => {
    expect([...labels]).toEqual([
      ["current", "Current"],
      ["1-30", "1–30"],
      ["31-60", "31–60"],
      ["61-90", "61–90"],
      ["91-120", "91–120"],
      ["over-120", "Over 120"],
    ]);
  });

  it("custom edges [15, 45] on the due basis", () => {
    expect([...bucketLabels({ basis: "due", edges: [15, 45] })]).toEqual([
      ["current", "Current"],
      ["1-15", "1–15"],
      ["16-45", "16–45"],
      ["over-45", "Over 45"],
    ]);
  });

  it("custom edges [15, 45] on the document basis start at 0 and have no Current", () => {
    expect([...bucketLabels({ basis: "document", edges: [15, 45] })]).toEqual([
      ["0-15", "0–15"],
      ["16-45", "16–45"],
      ["over-45", "Over 45"],
    ]);
  });

  it("a row uses the labels of the view's edges", () => {
    const custom = bucketLabels({ basis: "due", edges: [15, 45] });
    expect(cell(openItemRow(anOpenItem({ id: "a", days: 20, bucket: "16-45" }), custom), "bucket")).toBe("16–45");
  });
});

describe("ageRow", () => {
  it("an invoice on the due basis: days past due and bucket as of the view's date", () => {
    const row = openItemRow(anOpenItem({ id: "a", days: 0, bucket: "current" }), labels);
    ageRow(row, { kind: "invoice", documentDate: "2026-09-01", dueDate: "2026-10-01" }, DEFAULT_VIEW, labels);
    // 2026-10-01 → 2026-11-23: 30 days to 10-31, 1 to 11-01, 22 more: 53.
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([53, "31–60"]);
  });

  it("due today is Current; due tomorrow is Current with −1 days", () => {
    const row = openItemRow(anOpenItem({ id: "a" }), labels);
    ageRow(row, { kind: "invoice", documentDate: "2026-10-24", dueDate: "2026-11-23" }, DEFAULT_VIEW, labels);
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([0, "Current"]);
    ageRow(row, { kind: "invoice", documentDate: "2026-10-25", dueDate: "2026-11-24" }, DEFAULT_VIEW, labels);
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([-1, "Current"]);
  });

  it("a credit memo is aged from its own date, whatever its due date says", () => {
    const row = openItemRow(anOpenItem({ id: "cm", kind: "creditMemo", amount: "-5.00", open: "-5.00" }), labels);
    ageRow(row, { kind: "creditMemo", documentDate: "2026-08-15", dueDate: "2026-12-31" }, DEFAULT_VIEW, labels);
    // 2026-08-15 → 2026-11-23: 16 (rest of Aug) + 30 + 31 + 23 = 100 days.
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([100, "91–120"]);
  });

  it("the document basis counts from the document date", () => {
    const view: AgingView = { asOf: d("2026-11-23"), basis: "document", edges: [30, 60, 90, 120] };
    const docLabels = bucketLabels(view);
    const row = openItemRow(anOpenItem({ id: "a" }), docLabels);
    ageRow(row, { kind: "invoice", documentDate: "2026-09-01", dueDate: "2026-10-01" }, view, docLabels);
    // 2026-09-01 → 2026-11-23: 29 (rest of Sep) + 31 + 23 = 83 days.
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([83, "61–90"]);
  });

  it("custom edges [15, 45]: 53 days past due is Over 45", () => {
    const view: AgingView = { asOf: d("2026-11-23"), basis: "due", edges: [15, 45] };
    const custom = bucketLabels(view);
    const row = openItemRow(anOpenItem({ id: "a" }), custom);
    ageRow(row, { kind: "invoice", documentDate: "2026-09-01", dueDate: "2026-10-01" }, view, custom);
    expect([cell(row, "days"), cell(row, "bucket")]).toEqual([53, "Over 45"]);
  });
});

describe("openItemsValueRules", () => {
  const rules = openItemsValueRules(DEFAULT_VIEW);
  const currencyRule = (code: string): ValueRule | undefined => rules.find((r) => r.column === "currency" && r.equals.includes(code));

  it("JPY amounts get a 0-decimal format and KWD a 3-decimal one, on every money column of the row", () => {
    const moneyColumns = ["amount", "open", "apply", "discount", "writeOff", "disputeAmount", "orig:apply", "orig:discount", "orig:writeOff", "orig:disputeAmount"];
    expect(currencyRule("JPY")?.style.numberFormat).toBe("#,##0;[Red]-#,##0");
    expect(currencyRule("JPY")?.columns).toEqual(moneyColumns);
    expect(currencyRule("KWD")?.style.numberFormat).toBe("#,##0.000;[Red]-#,##0.000");
    expect(currencyRule("KWD")?.columns).toEqual(moneyColumns);
    // ISO 4217: CLP has 0 decimals and BHD 3, like JPY and KWD.
    expect(currencyRule("CLP")).toBe(currencyRule("JPY"));
    expect(currencyRule("BHD")).toBe(currencyRule("KWD"));
  });

  it("two-decimal currencies keep the column's own format (no rule)", () => {
    expect(currencyRule("USD")).toBeUndefined();
    expect(currencyRule("EUR")).toBeUndefined();
  });

  it("one rule per bucket label, from mild to severe", () => {
    const bucketRules = rules.filter((r) => r.column === "bucket");
    expect(bucketRules.map((r) => r.equals)).toEqual([["Current"], ["1–30"], ["31–60"], ["61–90"], ["91–120"], ["Over 120"]]);
    expect(bucketRules[0]?.style.fill).toBe("#E6F4EA");
    expect(bucketRules[5]?.style.fill).toBe("#F1B0B0");
  });

  it("custom edges get rules for their own labels; the first is mild and the last severe", () => {
    const bucketRules = openItemsValueRules({ basis: "due", edges: [15, 45] }).filter((r) => r.column === "bucket");
    expect(bucketRules.map((r) => r.equals)).toEqual([["Current"], ["1–15"], ["16–45"], ["Over 45"]]);
    expect(bucketRules[0]?.style.fill).toBe("#E6F4EA");
    expect(bucketRules[3]?.style.fill).toBe("#F1B0B0");
    expect(new Set(bucketRules.map((r) => r.style.fill)).size).toBe(4);
  });

  it("clashes and gone rows are flagged on the whole row; disputed and edited on the cell", () => {
    const flagged = rules.find((r) => r.column === "status" && r.equals.includes(STATUS.clash));
    expect(flagged?.equals).toEqual([STATUS.clash, STATUS.gone]);
    expect(flagged?.wholeRow).toBe(true);
    expect(rules.find((r) => r.column === "status" && r.equals.includes(STATUS.edited))?.wholeRow).toBeUndefined();
    expect(rules.find((r) => r.column === "disputed")?.equals).toEqual(["Yes"]);
  });
});

describe("what counts as an edit", () => {
  const pulled = (): CellValue[] => openItemRow(INVOICE, labels);

  it("a freshly pulled row, and the same row as Excel reads it back, have no edits", () => {
    expect(editedColumns(pulled())).toEqual([]);
    // Excel reads empty cells as "": still not an edit.
    expect(editedColumns(asReadBack(pulled()))).toEqual([]);
  });

  it("typing an amount or a note is an edit of that column", () => {
    expect(editedColumns(put(pulled(), "apply", 100))).toEqual(["apply"]);
    expect(editedColumns(put(put(pulled(), "apply", 100), "note", "call back Monday"))).toEqual(["apply", "note"]);
  });

  it("an apply of 0 is an edit (zero is not missing)", () => {
    expect(editedColumns(put(pulled(), "apply", 0))).toEqual(["apply"]);
  });

  it("clearing a value that was pulled is an edit; putting it back is not", () => {
    const row = put(put(pulled(), "orig:note", "pulled text"), "note", "pulled text");
    expect(editedColumns(row)).toEqual([]);
    expect(editedColumns(put(row, "note", ""))).toEqual(["note"]);
  });

  it("whitespace around a note is not an edit, and a note of only spaces is no note", () => {
    expect(editedColumns(put(pulled(), "note", "   "))).toEqual([]);
    const row = put(put(pulled(), "orig:note", "agreed"), "note", " agreed ");
    expect(editedColumns(row)).toEqual([]);
  });

  it.each([
    [null, "", true],
    ["", null, true],
    ["  ", "", true],
    ["  ", null, true],
    ["a ", "a", true],
    [5, 5, true],
    [5, "5", false],
    [0, null, false],
    [0, "", false],
    [true, "TRUE", false],
    ["a", "A", false],
  ] as const)("sameCell(%j, %j) is %s", (a, b, same) => {
    expect(sameCell(a, b)).toBe(same);
    expect(sameCell(b, a)).toBe(same);
  });
});

describe("carrying edits into a new row", () => {
  it("copies the editable values and their pulled originals, sets the status, and leaves the rest", () => {
    const local = openItemRow(INVOICE, labels);
    put(local, "apply", 100);
    put(local, "note", "short paid");
    put(local, "orig:apply", 40);
    put(local, "orig:note", "old");
    const fresh = openItemRow({ ...INVOICE, open: "500.00", version: 3 }, labels);
    const result = carryEdits(local, fresh, STATUS.clash);
    expect(result).toBe(fresh);
    expect([cell(fresh, "apply"), cell(fresh, "note"), cell(fresh, "orig:apply"), cell(fresh, "orig:note"), cell(fresh, "status")]).toEqual([
      100,
      "short paid",
      40,
      "old",
      STATUS.clash,
    ]);
    // Read-only columns keep the server's new values.
    expect([cell(fresh, "open"), cell(fresh, "version")]).toEqual([500, 3]);
  });

  it("withStatus returns a flagged copy and leaves the row alone", () => {
    const row = openItemRow(INVOICE, labels);
    const flagged = withStatus(row, STATUS.gone);
    expect(cell(flagged, "status")).toBe("Edited; no longer open on server");
    expect(cell(row, "status")).toBe("");
    expect(flagged.filter((_, i) => OPEN_ITEMS.columns[i]?.key !== "status")).toEqual(row.filter((_, i) => OPEN_ITEMS.columns[i]?.key !== "status"));
  });

  it("rowId, rowVersion and rowCell read the hidden columns, also as Excel reads them back", () => {
    const row = asReadBack(openItemRow(INVOICE, labels));
    expect(rowId(row)).toBe("inv-1001");
    expect(rowVersion(row)).toBe(2);
    expect(rowCell(row, "customerId")).toBe("cust-acme");
  });
});
