/**
 * The Payments and Review panes' arithmetic (addin/taskpane/payments.ts,
 * review-model.ts): which receipts can be applied, what they have applied so
 * far, the shared suggestion written into Open Items cells (and read back by
 * the change builder as the same allocations), the clerk's choice for a short
 * pay, and how Review names cells and reports each pushed row.
 *
 * Expected amounts are worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { STATUS } from "../../addin/sheets/open-items.js";
import { OPEN_ITEMS, PAYMENTS } from "../../addin/sheets/specs.js";
import { buildChanges } from "../../addin/sync/changes.js";
import type { PushOutcome, StoredConflict } from "../../addin/sync/push.js";
import type { OpenItemWire } from "../../addin/sync/wire.js";
import {
  blankRowsNeeded,
  clearedRows,
  isBlankRow,
  listSources,
  planSuggestion,
  prepareApplication,
  shortPayRow,
  sourceTotals,
  type PaymentSource,
  type PreparedApplication,
} from "../../addin/taskpane/payments.js";
import { conflictView, describeRows, placeOf, rowResults, sortProblems } from "../../addin/taskpane/review-model.js";
import { d } from "../support/builders.js";
import { anOpenItem } from "../support/fake-server.js";
import { openItemsRow, paymentsRow, sequentialIds, typedDate, valueOf, withCells } from "../support/sheet-rows.js";

const TODAY = d("2026-11-23");

// Acme (C-100, USD). INV-1001 and INV-1003 are due 2026-10-01 on NET 30; INV-1002 is on 2/10 NET 30
// from 2026-11-16, so a payment by 2026-11-26 earns 2% of 1,000.00 = 20.00.
const INV_1001 = anOpenItem({ id: "inv-1001", number: "INV-1001", amount: "1250.00", open: "750.50", version: 3 });
const INV_1002 = anOpenItem({ id: "inv-1002", number: "INV-1002", documentDate: "2026-11-16", dueDate: "2026-12-16", amount: "1000.00", open: "1000.00", terms: "2/10 NET 30", version: 1 });
const INV_1003 = anOpenItem({ id: "inv-1003", number: "INV-1003", amount: "300.00", open: "300.00", version: 2 });
const CM_7 = anOpenItem({ id: "cm-7", kind: "creditMemo", number: "CM-7", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "-200.00", open: "-200.00", terms: null, version: 4 });
const CHK_88 = anOpenItem({ id: "rcp-88", kind: "unappliedCash", number: "CHK 88", documentDate: "2026-11-10", dueDate: "2026-11-10", amount: "-500.00", open: "-500.00", terms: null, version: 6 });
// Another customer's invoice: never a candidate for Acme's cash.
const INV_BETA = anOpenItem({ id: "inv-beta", number: "INV-2001", customerId: "cust-beta", customerNumber: "C-200", customerName: "Beta", amount: "90.00", open: "90.00" });

type Numbers = "INV-1001" | "INV-1002" | "INV-1003" | "CM-7" | "CHK 88" | "INV-2001";
const ORDER: [Numbers, OpenItemWire][] = [["INV-1001", INV_1001], ["INV-1002", INV_1002], ["INV-1003", INV_1003], ["CM-7", CM_7], ["CHK 88", CHK_88], ["INV-2001", INV_BETA]];
const ROW: Record<Numbers, number> = { "INV-1001": 0, "INV-1002": 1, "INV-1003": 2, "CM-7": 3, "CHK 88": 4, "INV-2001": 5 };

function openItems(edits: Partial<Record<Numbers, Record<string, CellValue>>> = {}): CellValue[][] {
  return ORDER.map(([number, item]) => openItemsRow(item, edits[number] ?? {}));
}

const cell = (row: readonly CellValue[] | undefined, key: string) => valueOf(OPEN_ITEMS, row, key);

function sourceFor(reference: string, sheets: { openItems: CellValue[][]; payments: CellValue[][] }): PaymentSource {
  const found = listSources(sheets).find((s) => s.reference === reference);
  if (found === undefined) throw new Error(`no source ${reference}`);
  return found;
}

function prepared(source: PaymentSource, rows: CellValue[][]): PreparedApplication {
  const result = prepareApplication(source, rows, { today: TODAY });
  if ("cannot" in result) throw new Error(result.cannot);
  return result;
}

/** Lays the planned writes over the rows, as the pane does through the gateway. */
function written(rows: CellValue[][], writes: ReadonlyMap<number, CellValue[]>): CellValue[][] {
  return rows.map((row, i) => writes.get(i) ?? row);
}

describe("the receipts and credits the pane offers", () => {
  const payments = [
    paymentsRow({ date: typedDate("2026-11-20"), customer: "c-100", amount: 2026, method: "check", reference: "CHK 5521" }),
    paymentsRow({}),
    paymentsRow({ date: typedDate("2026-11-20"), customer: "C-999", amount: 10, reference: "X-1" }),
    paymentsRow({ date: typedDate("2026-11-20"), customer: "C-100", amount: 10, reference: "" }),
    paymentsRow({ date: "yesterday", customer: "C-100", amount: "ten", reference: "CHK 88" }),
    // Posted (an id and the server's version): not offered again.
    paymentsRow({ date: typedDate("2026-11-01"), customer: "C-100", amount: 50, reference: "OLD-1", id: "rcp-old", version: 2 }),
  ];
  const sources = listSources({ openItems: openItems(), payments });

  it("lists new Payments rows (not blank, not posted), then unapplied cash and credit memos with positive amounts", () => {
    expect(sources.map((s) => [s.kind, s.reference, s.amount?.toString() ?? null])).toEqual([
      ["newReceipt", "CHK 5521", "2026.00"],
      // An unknown customer and no Cur typed: no currency to read the amount in.
      ["newReceipt", "X-1", null],
      ["newReceipt", "", "10.00"],
      ["newReceipt", "CHK 88", null],
      ["creditMemo", "CM-7", "200.00"],
      ["unappliedCash", "CHK 88", "500.00"],
    ]);
  });

  it("finds the customer by number whatever the case, with its currency from Open Items", () => {
    const chk = sources[0];
    expect([chk?.customerId, chk?.customerNumber, chk?.currency, chk?.date, chk?.blocker]).toEqual(["cust-acme", "C-100", "USD", "2026-11-20", null]);
  });

  it("says why a receipt cannot be suggested for: unknown customer, no reference, a name two sources share, a bad date and amount", () => {
    expect(sources[1]?.blocker).toContain("customer C-999 has no open items in this workbook");
    expect(sources[2]?.blocker).toContain("give it a Reference");
    expect(sources[3]?.blocker).toContain('Date "yesterday" is not a date');
    expect(sources[3]?.blocker).toContain('Amount "ten" is not an amount in USD');
    expect(sources[3]?.blocker).toContain('another payment or credit is also called "CHK 88"');
    expect(sources[5]?.blocker).toContain("From cannot name it");
  });
});

describe("a receipt naming three invoices: discount and a short pay within tolerance", () => {
  // 2,026.00 by reference: INV-1001 (due 10-01) 750.50, INV-1003 (due 10-01, later number) 300.00, then INV-1002 (due 12-16).
  // Left for INV-1002: 2026.00 − 750.50 − 300.00 = 975.50; it needs 1000.00 − 20.00 discount = 980.00,
  // so 4.50 short; tolerance min(5.00, 1% of 1,000.00 = 10.00) = 5.00 → written off.
  const payments = [paymentsRow({ date: typedDate("2026-11-20"), customer: "C-100", amount: 2026, method: "check", reference: "CHK 5521 INV-1001 INV-1002 INV-1003" })];
  const rows = openItems();
  const source = sourceFor("CHK 5521 INV-1001 INV-1002 INV-1003", { openItems: rows, payments });
  const plan = planSuggestion(prepared(source, rows), source, rows);
  const after = written(rows, plan.writes);

  it("writes Apply, Discount, Write-off with its reason and From on exactly the three rows", () => {
    expect([...plan.writes.keys()].sort()).toEqual([ROW["INV-1001"], ROW["INV-1002"], ROW["INV-1003"]]);
    const view = (n: Numbers) => ["apply", "discount", "writeOff", "writeOffReason", "from", "status"].map((k) => cell(after[ROW[n]], k));
    const from = "CHK 5521 INV-1001 INV-1002 INV-1003";
    expect(view("INV-1001")).toEqual([750.5, "", "", "", from, STATUS.edited]);
    expect(view("INV-1003")).toEqual([300, "", "", "", from, STATUS.edited]);
    expect(view("INV-1002")).toEqual([975.5, 20, 4.5, "short pay within tolerance", from, STATUS.edited]);
    expect(plan.suggestion.unapplied.toString()).toBe("0.00");
  });

  it("running totals: applied 2,026.00, discount 20.00, write-off 4.50, nothing unapplied", () => {
    const totals = sourceTotals(source, after);
    expect([totals?.applied, totals?.discount, totals?.writeOff, totals?.unapplied].map((m) => m?.toString())).toEqual(["2026.00", "20.00", "4.50", "0.00"]);
  });

  it("offers the short pay on INV-1002 (4.50, written off) for the clerk to change", () => {
    expect(plan.shortPays.map((p) => [p.number, p.shortfall.toString(), p.chosen])).toEqual([["INV-1002", "4.50", "writeOff"]]);
  });

  it("is read back by the change builder as one receipt carrying exactly those allocations", () => {
    const built = buildChanges({ openItems: after, payments, notes: [] }, { today: TODAY, newId: sequentialIds(), customers: new Map([["C-100", { id: "cust-acme", number: "C-100", currency: "USD" }]]) });
    expect(built.problems).toEqual([]);
    const [op] = built.operations;
    expect(op?.op === "receipt.create" ? op.applications : null).toEqual([
      { documentId: "inv-1001", documentVersion: 3, amount: "750.50" },
      { documentId: "inv-1002", documentVersion: 1, amount: "975.50", discount: "20.00", writeOff: "4.50", writeOffReason: "short pay within tolerance" },
      { documentId: "inv-1003", documentVersion: 2, amount: "300.00" },
    ]);
  });
});

describe("a short pay beyond the tolerance, oldest first", () => {
  // 500.00 naming no invoice; no item is exactly 500.00 (INV-1002 less its discount is 980.00), so oldest due first:
  // INV-1001 (750.50) gets all of it; 250.50 short is over min(5.00, 1% of 750.50 = 7.50) → left open.
  const payments = [paymentsRow({ date: typedDate("2026-11-20"), customer: "C-100", amount: 500, reference: "WIRE 77" })];
  const rows = openItems();
  const source = sourceFor("WIRE 77", { openItems: rows, payments });
  const plan = planSuggestion(prepared(source, rows), source, rows);
  const after = written(rows, plan.writes);
  const [shortPay] = plan.shortPays;
  if (shortPay === undefined) throw new Error("expected a short pay");

  it("applies 500.00 to INV-1001 and leaves 250.50 open", () => {
    expect([...plan.writes.keys()]).toEqual([ROW["INV-1001"]]);
    expect(["apply", "writeOff", "from"].map((k) => cell(after[ROW["INV-1001"]], k))).toEqual([500, "", "WIRE 77"]);
    expect([shortPay.number, shortPay.shortfall.toString(), shortPay.chosen]).toEqual(["INV-1001", "250.50", "open"]);
  });

  it("written off at the clerk's choice: the whole 250.50 with the reason given", () => {
    const row = shortPayRow(after[ROW["INV-1001"]] ?? [], shortPay, { kind: "writeOff", reason: "agreed with AP" });
    expect(["apply", "writeOff", "writeOffReason", "dispute"].map((k) => cell(row, k))).toEqual([500, 250.5, "agreed with AP", ""]);
  });

  it("disputed instead: the write-off the pane wrote goes, the dispute takes the 250.50 and the note", () => {
    const writtenOff = shortPayRow(after[ROW["INV-1001"]] ?? [], shortPay, { kind: "writeOff", reason: "" });
    expect(cell(writtenOff, "writeOffReason")).toBe("short pay");
    const row = shortPayRow(writtenOff, { ...shortPay, chosen: "writeOff" }, { kind: "dispute", reason: "damagedGoods", note: "crate 3 broken" });
    expect(["apply", "writeOff", "writeOffReason", "dispute", "disputeAmount", "note"].map((k) => cell(row, k))).toEqual([500, "", "", "damaged goods", 250.5, "crate 3 broken"]);
  });

  it("left open: a dispute the clerk typed on the row stays", () => {
    const typed = withCells(OPEN_ITEMS, after[ROW["INV-1001"]] ?? [], { dispute: "pricing", disputeAmount: 100 });
    const row = shortPayRow(typed, shortPay, { kind: "open" });
    expect(["dispute", "disputeAmount"].map((k) => cell(row, k))).toEqual(["pricing", 100]);
  });
});

describe("rows already settled in the workbook", () => {
  // INV-1001 is paid from unapplied cash CHK 88 by the clerk; a 300.00 wire then pays INV-1003 exactly (the exact-amount rule).
  const rows = openItems({ "INV-1001": { apply: 100, from: "CHK 88" } });
  const payments = [paymentsRow({ date: typedDate("2026-11-20"), customer: "C-100", amount: 300, reference: "WIRE 9" })];

  it("are left alone, and the pane says so", () => {
    const source = sourceFor("WIRE 9", { openItems: rows, payments });
    const plan = planSuggestion(prepared(source, rows), source, rows);
    expect([...plan.writes.keys()]).toEqual([ROW["INV-1003"]]);
    expect(plan.skipped).toEqual(["INV-1001 skipped: already settled from CHK 88 in this workbook"]);
  });

  it("count against their source: CHK 88 has 400.00 of its 500.00 left, and suggests only that", () => {
    const chk88 = listSources({ openItems: rows, payments: [] }).find((s) => s.kind === "unappliedCash");
    if (chk88 === undefined) throw new Error("CHK 88 missing");
    expect(sourceTotals(chk88, rows)?.unapplied.toString()).toBe("400.00");
    expect(prepared(chk88, rows).input.unapplied?.toString()).toBe("400.00");
  });

  it("an amount that is not a number stops the suggestion with the row named", () => {
    const bad = openItems({ "INV-1001": { apply: "abc", from: "CHK 88" } });
    const chk88 = listSources({ openItems: bad, payments: [] }).find((s) => s.kind === "unappliedCash");
    if (chk88 === undefined) throw new Error("CHK 88 missing");
    expect(prepareApplication(chk88, bad, { today: TODAY })).toEqual({ cannot: "Open Items row 2 naming CHK 88 has an amount that is not a number: fix it first" });
  });

  it("Clear allocations removes only what names that source", () => {
    const both = openItems({ "INV-1001": { apply: 100, from: "CHK 88", note: "call back" }, "INV-1003": { apply: 300, from: "WIRE 9" } });
    const chk88 = listSources({ openItems: both, payments: [] }).find((s) => s.kind === "unappliedCash");
    if (chk88 === undefined) throw new Error("CHK 88 missing");
    const cleared = clearedRows(chk88, both);
    expect([...cleared.keys()]).toEqual([ROW["INV-1001"]]);
    expect(["apply", "from", "note"].map((k) => cell(cleared.get(ROW["INV-1001"]), k))).toEqual(["", "", "call back"]);
  });
});

describe("blank rows to type into", () => {
  const blank = isBlankRow(PAYMENTS);
  it("counts trailing blank rows; a posted row's hidden id is not blank", () => {
    expect(blankRowsNeeded([], blank, 3)).toBe(3);
    expect(blankRowsNeeded([paymentsRow({ amount: 5 }), paymentsRow({})], blank, 3)).toBe(2);
    expect(blankRowsNeeded([paymentsRow({}), paymentsRow({}), paymentsRow({}), paymentsRow({})], blank, 3)).toBe(0);
    expect(blankRowsNeeded([paymentsRow({ id: "rcp-1" })], blank, 1)).toBe(1);
  });
});

describe("what Review says", () => {
  it("names a cell the way Excel does: sheet, column letter and row, header", () => {
    // Apply is Open Items' 16th column (P); data row 1 sits under the header on sheet row 3.
    expect(placeOf({ table: OPEN_ITEMS.table, row: 1, column: "apply" })).toEqual({ sheet: "Open Items", address: "P3", header: "Apply" });
    expect(placeOf({ table: PAYMENTS.table, row: 0, column: "customer" })).toEqual({ sheet: "Payments", address: "B2", header: "Customer" });
  });

  it("lists problems in sheet order: Open Items, then Payments; top to bottom; left to right", () => {
    const p = (table: string, row: number, column: string) => ({ cell: { table, row, column }, message: `${table}:${row}:${column}` });
    const sorted = sortProblems([p(PAYMENTS.table, 1, "customer"), p(PAYMENTS.table, 1, "date"), p(OPEN_ITEMS.table, 7, "apply"), p(PAYMENTS.table, 0, "amount")]);
    expect(sorted.map((x) => x.message)).toEqual([`${OPEN_ITEMS.table}:7:apply`, `${PAYMENTS.table}:0:amount`, `${PAYMENTS.table}:1:date`, `${PAYMENTS.table}:1:customer`]);
  });

  const rows = openItems({ "INV-1002": { apply: 975.5, discount: 20, writeOff: 4.5, writeOffReason: "short pay", from: "CHK 5521" } });
  const pending = [
    { table: PAYMENTS.table, row: 0, ref: `${PAYMENTS.table}:0`, summary: "receipt CHK 5521: 1000.00 USD, applied to 1 item(s)", operations: [0] },
    { table: OPEN_ITEMS.table, row: 1, ref: `${OPEN_ITEMS.table}:1`, summary: "receipt CHK 5521: 1000.00 USD, applied to 1 item(s)", operations: [0] },
  ];
  const lines = describeRows(pending, rows);

  it("says what is typed on an Open Items row, by document number", () => {
    expect(lines.map((l) => [l.label, l.text, l.documentId])).toEqual([
      ["Payments 2", "receipt CHK 5521: 1000.00 USD, applied to 1 item(s)", null],
      ["INV-1002", "apply 975.50, discount 20.00, write off 4.50 (short pay) from CHK 5521", "inv-1002"],
    ]);
  });

  it("after a push: every row Posted, or the failing row's message and the others held back", () => {
    const outcome = (o: Partial<PushOutcome> & Pick<PushOutcome, "kind">): PushOutcome => ({ message: "", posted: 0, problems: [], conflicts: [], ...o });
    expect(rowResults(lines, outcome({ kind: "committed" })).map((r) => r.status)).toEqual(["Posted", "Posted"]);
    const refused = rowResults(lines, outcome({ kind: "refused", problems: [{ cell: { table: OPEN_ITEMS.table, row: 1, column: "apply" }, message: "more than open" }] }));
    expect(refused.map((r) => [r.status, r.message.slice(0, 20)])).toEqual([["Not posted", "not sent on its own:"], ["Error", "more than open"]]);
    const conflict: StoredConflict = { cell: { table: OPEN_ITEMS.table, row: 1, column: "number" }, entity: "document", id: "inv-1002", expectedVersion: 1, currentVersion: 3, current: { open: "900.00", currency: "USD", disputed: false } };
    expect(rowResults(lines, outcome({ kind: "conflict", conflicts: [conflict] }))[1]?.status).toBe("Conflict");
  });

  it("a conflict: the clerk's row beside the server's values", () => {
    const conflict: StoredConflict = { cell: { table: OPEN_ITEMS.table, row: 1, column: "number" }, entity: "document", id: "inv-1002", expectedVersion: 1, currentVersion: 3, current: { open: "900.00", currency: "USD", disputed: true } };
    const view = conflictView(conflict, rows[1]);
    expect(view.title).toBe("INV-1002 · Open Items row 3");
    expect(view.compare).toEqual([
      { label: "Open", yours: "1,000.00", server: "900.00" },
      { label: "Disputed", yours: "No", server: "Yes" },
      { label: "Version", yours: "1", server: "3" },
    ]);
    expect(view.yours.map((y) => `${y.label} ${y.value}`)).toEqual(["Apply 975.50", "Discount 20.00", "Write-off 4.50", "W/O reason short pay", "From CHK 5521"]);
  });
});
