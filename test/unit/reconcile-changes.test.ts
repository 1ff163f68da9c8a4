/**
 * Reconcile rows in buildChanges (addin/sync/changes.ts): a bank line the
 * clerk accepts becomes one receipt.create that records the line
 * (bankLineId) with the suggested or typed customer and applications;
 * rejected and undecided lines send nothing; bad input is a problem on its
 * cell. Expected operations are written out by hand from the lines below.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { formatAllocations, parseAllocations, reconcileRow } from "../../addin/sheets/reconcile.js";
import { RECONCILE } from "../../addin/sheets/specs.js";
import { buildChanges, type BuildContext, type BuiltChanges, type CellRef, type CustomerRef } from "../../addin/sync/changes.js";
import { acceptAutoMatches } from "../../addin/sync/reconcile.js";
import type { BankLineWire, SuggestionWire } from "../../addin/sync/wire.js";
import { parseCurrency } from "../../shared/currency.js";
import { aBankLine, aSuggestion } from "../support/bank-wire.js";
import { d } from "../support/builders.js";
import { asReadBack, FakeGateway } from "../support/fake-gateway.js";
import { anOpenItem } from "../support/fake-server.js";
import { openItemsRow, sequentialIds, withCells } from "../support/sheet-rows.js";

const USD = parseCurrency("USD");
const ACME: CustomerRef = { id: "cust-acme", number: "C-100", currency: "USD" };
const GLOBEX: CustomerRef = { id: "cust-globex", number: "C-200", currency: "USD" };

// INV-1 1,000.00 on 2/10: paid 980.00 less a 20.00 discount; INV-2 paid in full 500.00. 980.00 + 500.00 = 1,480.00 received.
const SUGGESTION: SuggestionWire = aSuggestion({ reasons: ["INV-1, INV-2 in remittance", "amount equals open less 2% discount"] });

function aLine(more: Partial<BankLineWire> = {}): BankLineWire {
  return aBankLine({
    id: "line-1",
    recordRef: "BAI2 line 4 (16 detail)",
    remittance: { unstructured: ["INV-1 INV-2"], documents: [] },
    suggestion: SUGGESTION,
    ...more,
  });
}

const row = (line: BankLineWire, edits: Readonly<Record<string, CellValue>> = {}): CellValue[] => withCells(RECONCILE, asReadBack(reconcileRow(line)), edits);
const at = (r: number, column: string): CellRef => ({ table: RECONCILE.table, row: r, column });

function build(reconcile: CellValue[][], openItems: CellValue[][] = []): BuiltChanges {
  const context: BuildContext = { today: d("2026-11-23"), newId: sequentialIds("rcp"), customers: new Map([[ACME.number, ACME], [GLOBEX.number, GLOBEX]]) };
  return buildChanges({ openItems, payments: [], notes: [], reconcile }, context);
}

describe("an accepted line with a suggestion", () => {
  const built = build([row(aLine(), { decision: "accept" })]);

  it("is one receipt.create recording the bank line, applied exactly as suggested", () => {
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      {
        op: "receipt.create",
        ref: "OpenAR_Reconcile:0",
        id: "rcp-1",
        customerId: "cust-acme",
        date: "2026-11-20",
        amount: "1480.00",
        currency: "USD",
        method: "ach",
        reference: "BR-778",
        applications: [
          { documentId: "doc-1", documentVersion: 2, amount: "980.00", discount: "20.00" },
          { documentId: "doc-2", documentVersion: 1, amount: "500.00" },
        ],
        bankLineId: "line-1",
      },
    ]);
  });

  it("writes the receipt id into the row before pushing, so a retry reuses it", () => {
    expect(built.assignedIds).toEqual([{ cell: at(0, "receiptId"), id: "rcp-1" }]);
    const again = build([row(aLine(), { decision: "Accept", receiptId: "rcp-kept" })]);
    expect(again.operations[0]).toMatchObject({ id: "rcp-kept" });
    expect(again.assignedIds).toEqual([]);
  });

  it("maps errors back to the row's cells", () => {
    expect(built.cellOf(0, "applications.1.amount")).toEqual(at(0, "suggested"));
    expect(built.cellOf(0, "customerId")).toEqual(at(0, "suggestedCustomer"));
    expect(built.cellOf(0, "bankLineId")).toEqual(at(0, "decision"));
    expect(built.cellOf(0, "amount")).toEqual(at(0, "amount"));
    expect(built.rows).toEqual([{ table: RECONCILE.table, row: 0, ref: "OpenAR_Reconcile:0", summary: "bank line BR-778: receipt 1480.00 USD, applied to 2 item(s)", operations: [0] }]);
  });
});

describe("lines that send nothing", () => {
  it("rejected, undecided, already posted and already matched lines produce no operation and no problem", () => {
    const built = build([
      row(aLine({ id: "l-1" }), { decision: "reject" }),
      row(aLine({ id: "l-2" }), { decision: "" }),
      row(aLine({ id: "l-3" }), { decision: "accept", status: "Posted" }),
      row(aLine({ id: "l-4", status: "matched", receiptId: "r-9" }), { decision: "accept" }),
    ]);
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([]);
  });
});

describe("the clerk's overrides", () => {
  // Globex's INV-9 (open 300.00, version 4) is on Open Items; the clerk says the line pays it 290.00 plus a 10.00 write-off.
  const INV_9 = anOpenItem({ id: "doc-9", number: "INV-9", customerId: GLOBEX.id, customerNumber: GLOBEX.number, amount: "300.00", open: "300.00", version: 4 });

  it("a typed customer and Apply to replace the suggestion; documents come from Open Items", () => {
    const built = build([row(aLine({ amount: "300.00", checkNumber: "5521" }), { decision: "accept", customer: "C-200", applyTo: "INV-9 290.00 (w/o 10.00)" })], [openItemsRow(INV_9)]);
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      {
        op: "receipt.create",
        ref: "OpenAR_Reconcile:0",
        id: "rcp-1",
        customerId: "cust-globex",
        date: "2026-11-20",
        amount: "300.00",
        currency: "USD",
        method: "check",
        reference: "BR-778",
        applications: [{ documentId: "doc-9", documentVersion: 4, amount: "290.00", writeOff: "10.00", writeOffReason: "short pay" }],
        bankLineId: "line-1",
      },
    ]);
    expect(built.cellOf(0, "applications.0.writeOff")).toEqual(at(0, "applyTo"));
    expect(built.cellOf(0, "customerId")).toEqual(at(0, "customer"));
  });

  it("another customer without Apply to records the line as that customer's unapplied cash", () => {
    const built = build([row(aLine(), { decision: "accept", customer: "C-200" })]);
    expect(built.operations).toEqual([expect.objectContaining({ customerId: "cust-globex", amount: "1480.00", bankLineId: "line-1" })]);
    expect(built.operations[0]).not.toHaveProperty("applications");
  });
});

describe("problems land on their cells and send nothing for the row", () => {
  it("a Decision that is neither accept nor reject", () => {
    const built = build([row(aLine(), { decision: "maybe" })]);
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: at(0, "decision"), message: 'Decision: "maybe" is not accept or reject (leave it blank to decide later)' }]);
  });

  it("an unknown customer, an unreadable Apply to, a document nobody knows", () => {
    const built = build([
      row(aLine({ id: "l-1" }), { decision: "accept", customer: "C-999" }),
      row(aLine({ id: "l-2" }), { decision: "accept", applyTo: "INV-1 lots" }),
      row(aLine({ id: "l-3" }), { decision: "accept", applyTo: "INV-77 100.00" }),
    ]);
    expect(built.operations).toEqual([]);
    expect(built.problems.map((p) => p.cell)).toEqual([at(0, "customer"), at(1, "applyTo"), at(2, "applyTo")]);
    expect(built.problems[0]?.message).toBe("customer C-999 is not known to the ledger");
    expect(built.problems[2]?.message).toContain("INV-77");
  });

  it("an accepted line with no suggested customer asks for one", () => {
    const built = build([row(aLine({ suggestion: null }), { decision: "accept" })]);
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: at(0, "customer"), message: "Customer: no customer was suggested for this line; type the customer number" }]);
  });

  it("an accepted debit is refused: money paid out is not a receipt", () => {
    const built = build([row(aLine({ amount: "-25.00", direction: "debit", suggestion: null }), { decision: "accept", customer: "C-100" })]);
    expect(built.operations).toEqual([]);
    expect(built.problems[0]?.cell).toEqual(at(0, "decision"));
  });
});

describe("the allocations text", () => {
  it("reads back what it writes", () => {
    const text = formatAllocations(SUGGESTION.allocations, USD);
    expect(text).toBe("INV-1 980.00 (disc 20.00); INV-2 500.00");
    expect(parseAllocations(text, USD).map((a) => [a.number, a.amount.toString(), a.discount?.toString() ?? null, a.writeOff])).toEqual([
      ["INV-1", "980.00", "20.00", null],
      ["INV-2", "500.00", null, null],
    ]);
  });

  it("takes thousands separators and both extras", () => {
    const [a] = parseAllocations("INV-3 1,250.00 (disc 25.00, w/o 0.50)", USD);
    expect([a?.amount.toString(), a?.discount?.toString(), a?.writeOff?.toString()]).toEqual(["1250.00", "25.00", "0.50"]);
  });

  it("refuses text it cannot read, naming it", () => {
    expect(() => parseAllocations("INV-1 980.00 (tip 5)", USD)).toThrow(/disc 20.00/);
    expect(() => parseAllocations("980.00", USD)).toThrow(/"980.00" is not/);
  });
});

describe("Accept all auto-matches (addin/sync/reconcile.ts)", () => {
  it("sets Decision to accept only on undecided, open lines whose suggestion is auto-accepted", async () => {
    const gateway = new FakeGateway();
    await gateway.ensureTable(RECONCILE);
    await gateway.replaceRows(RECONCILE.table, [
      reconcileRow(aLine({ id: "auto" })),
      reconcileRow(aLine({ id: "weak", suggestion: { ...SUGGESTION, autoAccept: false, confidence: 0.7 } })),
      withCells(RECONCILE, reconcileRow(aLine({ id: "rejected" })), { decision: "reject" }),
      reconcileRow(aLine({ id: "none", suggestion: null })),
    ], []);
    expect(await acceptAutoMatches(gateway)).toBe(1);
    const decision = RECONCILE.columns.findIndex((c) => c.key === "decision");
    expect(gateway.rowsOf(RECONCILE.table).map((r) => r[decision])).toEqual(["accept", "", "reject", ""]);
  });
});
