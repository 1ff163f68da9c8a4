/**
 * `openar import`: every row validated first; all or nothing unless bad rows
 * are skipped; the same file imports once. Expected values by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importRows, readImportFile } from "../../server/erp-import.js";
import { openTestStore, sqliteTarget, TEST_TODAY, type TestStore } from "../support/databases.js";
import { ledgerFingerprint } from "../support/ledger-state.js";

const CSV = `record,number,name,currency,terms,customer,documentDate,amount,date,method,reference
customer,C900,"Smith, Jones & Co",USD,2/10 NET 30,,,,,,
invoice,INV-9001,,,,C900,2026-10-01,1250.00,,,
invoice,INV-9002,,,,C900,2026-10-05,99.999,,,
receipt,,,USD,,C900,,100.00,2026-10-20,check,CHK 4411
invoice,INV-9003,,,,C999,2026-10-05,10.00,,,
`;

const JSON_FILE = JSON.stringify({
  customers: [{ number: "J1", name: "Jay Industries", currency: "JPY", terms: "NET 30" }],
  invoices: [
    { customer: "J1", number: "J-1", documentDate: "2026-10-01", amount: "125000" },
    { customer: "J1", number: "J-2", documentDate: "2026-10-02", amount: "5000" },
  ],
  receipts: [{ customer: "J1", date: "2026-10-25", amount: "130000", currency: "JPY", method: "wire", reference: "W-1", applications: [{ document: "J-1", amount: "125000" }, { document: "J-2", amount: "5000" }] }],
});

describe("openar import (SQLite)", () => {
  let ts: TestStore;
  beforeEach(async () => {
    ts = await openTestStore(sqliteTarget());
  });
  afterEach(async () => {
    await ts.close();
  });

  const run = (text: string, skipBadRows = false) =>
    importRows({ rows: readImportFile("file", text), store: ts.store, user: "import", skipBadRows, fileText: text });

  it("reports every bad row with its line and imports nothing", async () => {
    const before = await ledgerFingerprint(ts.db);
    const report = await run(CSV);
    expect(report.imported).toBe(0);
    expect(report.errors.map((e) => [e.where, e.field])).toEqual([
      ["line 6", "customer"],
      ["line 4", "amount"],
    ]);
    expect(report.errors[0]?.message).toContain("C999 is neither in this file nor in the ledger");
    expect(report.errors[1]?.message).toContain('"99.999" has more than 2 decimal places');
    expect(await ledgerFingerprint(ts.db)).toEqual(before);
  });

  it("with --skip-bad-rows imports the good rows once, and a second run changes nothing", async () => {
    const report = await run(CSV, true);
    expect(report.imported).toBe(3);
    expect(report.skipped.map((s) => s.where).sort()).toEqual(["line 4", "line 6"]);
    const aging = await ts.store.aging({ asOf: TEST_TODAY, basis: "due", edges: [30, 60, 90, 120] });
    // INV-9001 1,250.00 open; the receipt of 100.00 is unapplied cash (−100.00): 1,150.00 net.
    expect(aging.totals.map((t) => [t.currency, t.total.toString()])).toEqual([["USD", "1150.00"]]);
    const after = await ledgerFingerprint(ts.db);
    const again = await run(CSV, true);
    expect(again.replayed).toBe(true);
    expect(await ledgerFingerprint(ts.db)).toEqual(after);
    expect((await ts.store.checkInvariants()).ok).toBe(true);
  });

  it("imports JSON with receipts applied to invoices by number, in yen (no decimals)", async () => {
    const report = await run(JSON_FILE);
    expect(report.errors).toEqual([]);
    expect(report.imported).toBe(4);
    const aging = await ts.store.aging({ asOf: TEST_TODAY, basis: "due", edges: [30, 60, 90, 120] });
    // 130,000 received, 125,000 + 5,000 applied: nothing open.
    expect(aging.totals).toEqual([]);
    expect((await ts.store.checkInvariants()).ok).toBe(true);
  });

  it("refuses a malformed file with a clear message", () => {
    expect(() => readImportFile("f.json", "{ not json")).toThrow(/not valid JSON/);
    expect(() => readImportFile("f.json", JSON.stringify({ vendors: [] }))).toThrow(/vendors: unknown list/);
    expect(() => readImportFile("f.csv", "number,name\nC1,x\n")).toThrow(/"record" column/);
    expect(() => readImportFile("f.csv", "record,number\nvendor,C1\n")).toThrow(/line 2: record "vendor"/);
  });
});
