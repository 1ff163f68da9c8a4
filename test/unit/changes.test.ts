/**
 * buildChanges (addin/sync/changes.ts): what the clerk typed into Open Items,
 * Payments and Notes becomes one change set, every operation field maps back
 * to the cell it came from, and bad input is a problem on its exact cell that
 * produces no operation for that row.
 *
 * Every expected operation below is written out by hand from the cells the
 * test types; amounts are the typed numbers at the currency's two decimals.
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { NOTES, PAYMENTS } from "../../addin/sheets/specs.js";
import { buildChanges, type BuildContext, type BuiltChanges, type CustomerRef, type SheetRows } from "../../addin/sync/changes.js";
import type { OpenItemWire } from "../../addin/sync/wire.js";
import { d } from "../support/builders.js";
import { anOpenItem } from "../support/fake-server.js";
import { notesCell, notesRow, openItemsCell, openItemsRow, paymentsCell, paymentsRow, sequentialIds, typedDate } from "../support/sheet-rows.js";

const TODAY = d("2026-11-23");

// Acme's open items as pulled. INV-1002 is on 2/10 net 30 from 2026-11-16: a payment by 2026-11-26 earns 2% of 1,000.00 = 20.00.
const INV_1001 = anOpenItem({ id: "inv-1001", number: "INV-1001", amount: "1250.00", open: "750.50", version: 3 });
const INV_1002 = anOpenItem({ id: "inv-1002", number: "INV-1002", documentDate: "2026-11-16", dueDate: "2026-12-16", amount: "1000.00", open: "1000.00", days: -23, bucket: "current", terms: "2/10 NET 30", version: 1 });
const INV_1003 = anOpenItem({ id: "inv-1003", number: "INV-1003", amount: "300.00", open: "300.00", version: 2 });
const CM_7 = anOpenItem({ id: "cm-7", kind: "creditMemo", number: "CM-7", documentDate: "2026-11-01", dueDate: "2026-11-01", amount: "-200.00", open: "-200.00", terms: null, version: 4 });
const CHK_88 = anOpenItem({ id: "rcp-88", kind: "unappliedCash", number: "CHK 88", documentDate: "2026-11-10", dueDate: "2026-11-10", amount: "-500.00", open: "-500.00", terms: null, version: 6 });
const INV_CAD = anOpenItem({ id: "inv-cad-1", number: "INV-CAD-1", currency: "CAD", amount: "80.00", open: "80.00", version: 1 });

const ACME: CustomerRef = { id: "cust-acme", number: "C-100", currency: "USD" };
const EURO: CustomerRef = { id: "cust-euro", number: "C-300", currency: "EUR" };

function context(newId = sequentialIds()): BuildContext {
  return { today: TODAY, newId, customers: new Map([[ACME.number, ACME], [EURO.number, EURO]]) };
}

/** Open Items in a fixed order (rows 0–4), each with the clerk's edits by document. */
function openItems(edits: Partial<Record<"INV-1001" | "INV-1002" | "INV-1003" | "CM-7" | "CHK 88", Record<string, CellValue>>> = {}): CellValue[][] {
  const items: [keyof typeof edits, OpenItemWire][] = [["INV-1001", INV_1001], ["INV-1002", INV_1002], ["INV-1003", INV_1003], ["CM-7", CM_7], ["CHK 88", CHK_88]];
  return items.map(([number, item]) => openItemsRow(item, edits[number] ?? {}));
}

function build(sheets: Partial<SheetRows>, ctx: BuildContext = context()): BuiltChanges {
  return buildChanges({ openItems: sheets.openItems ?? openItems(), payments: sheets.payments ?? [], notes: sheets.notes ?? [] }, ctx);
}

const CHK_5521 = { date: typedDate("2026-11-20"), customer: "C-100", amount: 2100, method: "check", reference: "CHK 5521" };

describe("a new receipt applied to three invoices", () => {
  const built = build({
    payments: [paymentsRow(CHK_5521)],
    openItems: openItems({
      "INV-1001": { apply: 750.5, from: "CHK 5521" },
      "INV-1002": { apply: 980, discount: 20, from: "CHK 5521" },
      "INV-1003": { apply: 295, writeOff: 5, writeOffReason: "short pay", from: "CHK 5521" },
    }),
  });

  it("is one receipt.create carrying the three applications in sheet order, with the versions pulled", () => {
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      {
        op: "receipt.create",
        ref: "OpenAR_Payments:0",
        id: "id-1",
        customerId: "cust-acme",
        date: "2026-11-20",
        amount: "2100.00",
        currency: "USD",
        method: "check",
        reference: "CHK 5521",
        applications: [
          { documentId: "inv-1001", documentVersion: 3, amount: "750.50" },
          { documentId: "inv-1002", documentVersion: 1, amount: "980.00", discount: "20.00" },
          { documentId: "inv-1003", documentVersion: 2, amount: "295.00", writeOff: "5.00", writeOffReason: "short pay" },
        ],
      },
    ]);
  });

  it("maps every field back to its cell", () => {
    expect(built.cellOf(0, "applications.1.discount")).toEqual(openItemsCell(1, "discount"));
    expect(built.cellOf(0, "applications.2.writeOffReason")).toEqual(openItemsCell(2, "writeOffReason"));
    expect(built.cellOf(0, "applications.0.amount")).toEqual(openItemsCell(0, "apply"));
    // A field the map does not name falls back to its allocation's Apply cell, then to the operation's own cell.
    expect(built.cellOf(0, "applications.2.documentVersion")).toEqual(openItemsCell(2, "apply"));
    expect(built.cellOf(0, "amount")).toEqual(paymentsCell(0, "amount"));
    expect(built.cellOf(0, "date")).toEqual(paymentsCell(0, "date"));
    expect(built.cellOf(0, "customerId")).toEqual(paymentsCell(0, "customer"));
    expect(built.cellOf(0, "id")).toEqual(paymentsCell(0, "amount"));
    expect(built.cellOf(1, "amount")).toBeNull();
  });

  it("lists the Payments row and the three Open Items rows as pending, all with operation 0", () => {
    expect(built.rows.map((r) => [r.table, r.row, r.ref, r.operations])).toEqual([
      ["OpenAR_Payments", 0, "OpenAR_Payments:0", [0]],
      ["OpenAR_OpenItems", 0, "OpenAR_OpenItems:0", [0]],
      ["OpenAR_OpenItems", 1, "OpenAR_OpenItems:1", [0]],
      ["OpenAR_OpenItems", 2, "OpenAR_OpenItems:2", [0]],
    ]);
    expect(built.rows[0]?.summary).toBe("receipt CHK 5521: 2100.00 USD, applied to 3 item(s)");
  });

  it("assigns the new receipt its id, to be written into the row's hidden id cell", () => {
    expect(built.assignedIds).toEqual([{ cell: paymentsCell(0, "id"), id: "id-1" }]);
  });
});

describe("From names the receipt", () => {
  it("regardless of case and surrounding spaces", () => {
    const built = build({ payments: [paymentsRow(CHK_5521)], openItems: openItems({ "INV-1003": { apply: 300, from: "  chk 5521 " } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toHaveLength(1);
    expect(built.operations[0]).toMatchObject({ op: "receipt.create", applications: [{ documentId: "inv-1003", documentVersion: 2, amount: "300.00" }] });
  });

  it("a receipt nothing is applied from is a receipt.create without applications (all of it unapplied)", () => {
    const built = build({ payments: [paymentsRow({ ...CHK_5521, method: "ACH", currency: "usd" })] });
    expect(built.operations).toEqual([
      { op: "receipt.create", ref: "OpenAR_Payments:0", id: "id-1", customerId: "cust-acme", date: "2026-11-20", amount: "2100.00", currency: "USD", method: "ach", reference: "CHK 5521" },
    ]);
  });

  it("unapplied cash (From = its number) → receipt.apply with the receipt's version, dated today", () => {
    const built = build({ openItems: openItems({ "INV-1003": { apply: 300, from: "CHK 88" } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      {
        op: "receipt.apply",
        ref: "OpenAR_OpenItems:4",
        receiptId: "rcp-88",
        receiptVersion: 6,
        date: "2026-11-23",
        applications: [{ documentId: "inv-1003", documentVersion: 2, amount: "300.00" }],
      },
    ]);
    expect(built.cellOf(0, "applications.0.amount")).toEqual(openItemsCell(2, "apply"));
    expect(built.cellOf(0, "receiptVersion")).toEqual(openItemsCell(4, "number"));
    expect(built.rows.map((r) => r.ref)).toEqual(["OpenAR_OpenItems:4", "OpenAR_OpenItems:2"]);
  });

  it("a credit memo → creditMemo.apply with the memo's version", () => {
    const built = build({ openItems: openItems({ "INV-1001": { apply: 200, from: "CM-7" } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      {
        op: "creditMemo.apply",
        ref: "OpenAR_OpenItems:3",
        creditMemoId: "cm-7",
        creditMemoVersion: 4,
        date: "2026-11-23",
        applications: [{ documentId: "inv-1001", documentVersion: 3, amount: "200.00" }],
      },
    ]);
  });

  it("a posted receipt that also shows as unapplied cash is one source, at the newest version either row knows", () => {
    // The Payments row posted CHK 88 (version 5 then); the refreshed Open Items row shows its unapplied cash at version 6.
    const posted = paymentsRow({ id: "rcp-88", version: 5, date: typedDate("2026-11-10"), customer: "C-100", amount: 500, reference: "CHK 88", status: "Posted" });
    const built = build({ payments: [posted], openItems: openItems({ "INV-1003": { apply: 300, from: "CHK 88" } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      { op: "receipt.apply", ref: "OpenAR_OpenItems:4", receiptId: "rcp-88", receiptVersion: 6, date: "2026-11-23", applications: [{ documentId: "inv-1003", documentVersion: 2, amount: "300.00" }] },
    ]);
  });

  it("a posted Payments row is a source too, at its version", () => {
    const posted = paymentsRow({ id: "rcp-41", version: 2, date: typedDate("2026-11-12"), customer: "C-100", amount: 400, reference: "WIRE 41", status: "Posted" });
    const built = build({ payments: [posted], openItems: openItems({ "INV-1003": { apply: 300, from: "WIRE 41" } }) });
    expect(built.operations).toEqual([
      { op: "receipt.apply", ref: "OpenAR_Payments:0", receiptId: "rcp-41", receiptVersion: 2, date: "2026-11-23", applications: [{ documentId: "inv-1003", documentVersion: 2, amount: "300.00" }] },
    ]);
    expect(built.cellOf(0, "receiptId")).toEqual(paymentsCell(0, "reference"));
  });
});

describe("write-offs, disputes and notes on Open Items", () => {
  it("a write-off alone → writeOff.create dated today", () => {
    const built = build({ openItems: openItems({ "INV-1003": { writeOff: 4.99, writeOffReason: "small balance" } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      { op: "writeOff.create", ref: "OpenAR_OpenItems:2", id: "id-1", documentId: "inv-1003", documentVersion: 2, date: "2026-11-23", amount: "4.99", reason: "small balance" },
    ]);
    expect(built.cellOf(0, "reason")).toEqual(openItemsCell(2, "writeOffReason"));
    expect(built.cellOf(0, "amount")).toEqual(openItemsCell(2, "writeOff"));
  });

  it('Dispute "pricing" with a Dispute amt and a New note → dispute.open carrying that note, no separate note.create', () => {
    const built = build({ openItems: openItems({ "INV-1001": { dispute: "Pricing", disputeAmount: 100, note: "price list v2 not applied" } }) });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      { op: "dispute.open", ref: "OpenAR_OpenItems:0", id: "id-1", documentId: "inv-1001", documentVersion: 3, reasonCode: "pricing", amount: "100.00", note: "price list v2 not applied" },
    ]);
    expect(built.cellOf(0, "amount")).toEqual(openItemsCell(0, "disputeAmount"));
    expect(built.cellOf(0, "note")).toEqual(openItemsCell(0, "note"));
  });

  it('a reason label ("damaged goods") without an amount disputes the whole open amount', () => {
    const built = build({ openItems: openItems({ "INV-1001": { dispute: "damaged goods" } }) });
    expect(built.operations).toEqual([
      { op: "dispute.open", ref: "OpenAR_OpenItems:0", id: "id-1", documentId: "inv-1001", documentVersion: 3, reasonCode: "damagedGoods", amount: "750.50", note: "" },
    ]);
  });

  it('"resolve: credited" on a row with an open dispute → dispute.resolve', () => {
    const disputed = anOpenItem({ ...INV_1001, disputed: true, dispute: { id: "dsp-1", reasonCode: "pricing", amount: "100.00", version: 1 } });
    const built = build({ openItems: [openItemsRow(disputed, { dispute: "resolve: credited", note: "CM-9 issued" })] });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([{ op: "dispute.resolve", ref: "OpenAR_OpenItems:0", disputeId: "dsp-1", resolution: "credited", note: "CM-9 issued" }]);
  });

  it('"resolve: credited" without an open dispute is a problem on the Dispute cell', () => {
    const built = build({ openItems: openItems({ "INV-1001": { dispute: "resolve: credited" } }) });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "dispute"), message: "INV-1001 has no open dispute to resolve" }]);
  });

  it("an unknown reason is a problem on the Dispute cell", () => {
    const built = build({ openItems: openItems({ "INV-1001": { dispute: "too expensive" } }) });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([
      { cell: openItemsCell(0, "dispute"), message: '"too expensive" is not a dispute reason: pricing, quantity, damagedGoods, notReceived, duplicateBilling, other' },
    ]);
  });

  it("a New note alone → note.create on the document", () => {
    const built = build({ openItems: openItems({ "INV-1001": { note: "AP says the check is in the mail" } }) });
    expect(built.operations).toEqual([
      { op: "note.create", ref: "OpenAR_OpenItems:0", id: "id-1", customerId: "cust-acme", documentId: "inv-1001", kind: "note", body: "AP says the check is in the mail" },
    ]);
  });

  it("an Open Items row nobody touched produces nothing; spaces typed into a cell count as nothing", () => {
    expect(build({ openItems: openItems({ "INV-1001": { note: "   " } }) }).operations).toEqual([]);
    expect(build({}).rows).toEqual([]);
  });
});

describe("the Notes sheet", () => {
  it("a call → note.create for the customer", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", type: "Call", text: "Spoke to AP; paying Friday" })] });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([{ op: "note.create", ref: "OpenAR_Notes:0", id: "id-1", customerId: "cust-acme", kind: "call", body: "Spoke to AP; paying Friday" }]);
    expect(built.cellOf(0, "body")).toEqual(notesCell(0, "text"));
  });

  it("a promise on a document → promise.create in the document's currency, with its date and follow-up", () => {
    const built = build({
      openItems: [...openItems(), openItemsRow(INV_CAD)],
      notes: [notesRow({ customer: "C-100", document: "INV-CAD-1", type: "promise", promiseAmount: 80, promiseDate: typedDate("2026-11-27"), followUp: typedDate("2026-11-28") })],
    });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      { op: "promise.create", ref: "OpenAR_Notes:0", id: "id-1", customerId: "cust-acme", documentId: "inv-cad-1", amount: "80.00", currency: "CAD", promisedDate: "2026-11-27", followUpDate: "2026-11-28" },
    ]);
    expect(built.cellOf(0, "promisedDate")).toEqual(notesCell(0, "promiseDate"));
  });

  it("a promise without a document is in the customer's currency", () => {
    const built = build({ notes: [notesRow({ customer: "C-300", type: "Promise", text: "half now", promiseAmount: "1000.5", promiseDate: "2026-12-01" })] });
    expect(built.operations).toEqual([
      { op: "promise.create", ref: "OpenAR_Notes:0", id: "id-1", customerId: "cust-euro", amount: "1000.50", currency: "EUR", promisedDate: "2026-12-01", body: "half now" },
    ]);
  });

  it("a promise without an amount or a date is a problem on each missing cell", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", type: "promise", text: "will pay" })] });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([
      { cell: notesCell(0, "promiseAmount"), message: "Promise amount: how much did they promise?" },
      { cell: notesCell(0, "promiseDate"), message: "Promise date: by when?" },
    ]);
  });

  it("an unknown customer is a problem on the Customer cell and no operation", () => {
    const built = build({ notes: [notesRow({ customer: "C-999", type: "call", text: "left a message" })] });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: notesCell(0, "customer"), message: "customer C-999 is not known to the ledger" }]);
    expect(built.assignedIds).toEqual([]);
  });

  it("an unknown document is a problem on the Document cell and no operation (not a note filed on the customer instead)", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", document: "INV-9999", type: "call", text: "asked about INV-9999" })] });
    expect(built.problems).toEqual([{ cell: notesCell(0, "document"), message: "document INV-9999 is not among this customer's open items" }]);
    expect(built.operations).toEqual([]);
    expect(built.assignedIds).toEqual([]);
  });

  it("a promise on an unknown document still reports every other problem of the row", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", document: "INV-9999", type: "promise", promiseDate: "2026-12-01" })] });
    expect(built.problems).toEqual([
      { cell: notesCell(0, "document"), message: "document INV-9999 is not among this customer's open items" },
      { cell: notesCell(0, "promiseAmount"), message: "Promise amount: how much did they promise?" },
    ]);
    expect(built.operations).toEqual([]);
  });

  it("a Follow-up that is not a date is a problem and no operation (the follow-up is not silently dropped)", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", type: "call", text: "call back", followUp: "next week" })] });
    expect(built.problems).toEqual([{ cell: notesCell(0, "followUp"), message: 'Follow-up: "next week" is not a date (YYYY-MM-DD)' }]);
    expect(built.operations).toEqual([]);
  });

  it("an unknown type is a problem on the Type cell", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", type: "fax", text: "sent" })] });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: notesCell(0, "type"), message: 'type "fax" is not one of call, email, letter, note, promise' }]);
  });

  it("a posted note is not sent again", () => {
    const built = build({ notes: [notesRow({ customer: "C-100", type: "call", text: "done", id: "note-1", status: "Posted" })] });
    expect(built.operations).toEqual([]);
  });
});

describe("posted payments", () => {
  const posted = { id: "rcp-5", version: 4, date: typedDate("2026-11-02"), customer: "C-100", amount: 300, reference: "CHK 77", status: "Posted" };

  it('Action "Reverse (NSF)" → receipt.reverse with the receipt\'s version', () => {
    const built = build({ payments: [paymentsRow({ ...posted, action: "Reverse (NSF)" })] });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([
      { op: "receipt.reverse", ref: "OpenAR_Payments:0", id: "id-1", receiptId: "rcp-5", receiptVersion: 4, date: "2026-11-23", reason: "Returned (NSF)" },
    ]);
    expect(built.cellOf(0, "receiptVersion")).toEqual(paymentsCell(0, "action"));
    expect(built.assignedIds).toEqual([]);
  });

  it("an unknown action is a problem on the Action cell and no operation", () => {
    const built = build({ payments: [paymentsRow({ ...posted, action: "Refund" })] });
    expect(built.operations).toEqual([]);
    expect(built.problems).toEqual([{ cell: paymentsCell(0, "action"), message: '"Refund" is not an action; type "Reverse (NSF)" to reverse this receipt' }]);
  });

  it("without an action, a posted row produces nothing", () => {
    expect(build({ payments: [paymentsRow(posted)] }).operations).toEqual([]);
  });
});

describe("bad input typed into cells: a problem on that exact cell, and no operation for the row", () => {
  const withReceipt = (edits: Record<string, CellValue>) => build({ payments: [paymentsRow(CHK_5521)], openItems: openItems({ "INV-1001": edits }) });
  const applicationsOf = (built: BuiltChanges) => {
    const op = built.operations[0];
    return op?.op === "receipt.create" ? (op.applications ?? []) : "not a receipt.create";
  };

  it('text in an amount ("abc" in Apply)', () => {
    const built = withReceipt({ apply: "abc", from: "CHK 5521" });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "apply"), message: 'Apply: "abc" is not an amount' }]);
    expect(applicationsOf(built)).toEqual([]);
    expect(built.rows.map((r) => r.ref)).toEqual(["OpenAR_Payments:0"]);
  });

  it("three decimals in USD (12.345 in Apply)", () => {
    const built = withReceipt({ apply: 12.345, from: "CHK 5521" });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "apply"), message: 'Apply: "12.345" has more than 2 decimal places, the most USD allows' }]);
    expect(applicationsOf(built)).toEqual([]);
  });

  it("three decimals in a Discount stop the whole application, not just the discount", () => {
    const built = withReceipt({ apply: 100, discount: "1.005", from: "CHK 5521" });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "discount"), message: 'Discount: "1.005" has more than 2 decimal places, the most USD allows' }]);
    expect(applicationsOf(built)).toEqual([]);
  });

  it("three decimals in a receipt amount", () => {
    const built = build({ payments: [paymentsRow({ ...CHK_5521, amount: 2100.005 })] });
    expect(built.problems).toEqual([{ cell: paymentsCell(0, "amount"), message: 'amount: "2100.005" has more than 2 decimal places, the most USD allows' }]);
    expect(built.operations).toEqual([]);
  });

  it.each([
    ["2026-02-30", 'date: "2026-02-30" is not a date (YYYY-MM-DD)'],
    ["yesterday", 'date: "yesterday" is not a date (YYYY-MM-DD)'],
  ])("a receipt date that is not a date (%s)", (typed, message) => {
    const built = build({ payments: [paymentsRow({ ...CHK_5521, date: typed })] });
    expect(built.problems).toEqual([{ cell: paymentsCell(0, "date"), message }]);
    expect(built.operations).toEqual([]);
    expect(built.assignedIds).toEqual([]);
  });

  it("From naming nothing", () => {
    const built = withReceipt({ apply: 100, from: "CHK 9999" });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "from"), message: 'From: no payment, unapplied cash or credit memo called "CHK 9999"' }]);
    expect(applicationsOf(built)).toEqual([]);
  });

  it("an amount without a From", () => {
    const built = withReceipt({ apply: 100 });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "from"), message: "From: which payment or credit pays this? Type the receipt's reference or the credit memo's number" }]);
    expect(applicationsOf(built)).toEqual([]);
  });

  it("a From without an amount", () => {
    const built = withReceipt({ from: "CHK 5521" });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "apply"), message: 'From "CHK 5521" given without an amount to Apply' }]);
    expect(applicationsOf(built)).toEqual([]);
  });

  it("two Payments rows with the same reference: From is ambiguous", () => {
    const built = build({
      payments: [paymentsRow(CHK_5521), paymentsRow({ ...CHK_5521, amount: 50 })],
      openItems: openItems({ "INV-1001": { apply: 100, from: "CHK 5521" } }),
    });
    expect(built.problems).toEqual([{ cell: openItemsCell(0, "from"), message: 'From: more than one payment is called "CHK 5521"; give them different references' }]);
    expect(built.operations.flatMap((op): unknown[] => (op.op === "receipt.create" ? (op.applications ?? []) : [op]))).toEqual([]);
    expect(built.rows.some((r) => r.table === "OpenAR_OpenItems")).toBe(false);
  });

  it.each([
    ["customer", { customer: "" }, "which customer? Type the customer number"],
    ["customer", { customer: "C-999" }, "customer C-999 is not known to the ledger"],
    ["amount", { amount: "" }, "amount: how much was received?"],
    ["date", { date: "" }, "date: when was it received?"],
    ["method", { method: "barter" }, 'method "barter" is not one of check, ach, wire, card, cash, other'],
    ["currency", { currency: "XYZ" }, '"XYZ" is not a currency code such as USD'],
  ])("a Payments row with a bad or missing %s", (column, cells, message) => {
    const built = build({ payments: [paymentsRow({ ...CHK_5521, ...cells })] });
    expect(built.problems).toEqual([{ cell: paymentsCell(0, column), message }]);
    expect(built.operations).toEqual([]);
    expect(built.assignedIds).toEqual([]);
  });

  it("a blank Payments row is ignored", () => {
    const built = build({ payments: [paymentsRow({ method: "check" })] });
    expect(built.problems).toEqual([]);
    expect(built.operations).toEqual([]);
  });

  it("one bad row does not stop the good ones", () => {
    const built = build({
      payments: [paymentsRow(CHK_5521)],
      openItems: openItems({ "INV-1001": { apply: "abc", from: "CHK 5521" }, "INV-1002": { apply: 980, discount: 20, from: "CHK 5521" } }),
    });
    expect(built.problems).toHaveLength(1);
    expect(applicationsOf(built)).toEqual([{ documentId: "inv-1002", documentVersion: 1, amount: "980.00", discount: "20.00" }]);
    // The one application left is number 0: its cells must follow.
    expect(built.cellOf(0, "applications.0.discount")).toEqual(openItemsCell(1, "discount"));
  });
});

describe("ids of new rows", () => {
  it("a retried build reuses ids already in hidden id cells and assigns new ones only to rows without", () => {
    const payments = [
      paymentsRow({ ...CHK_5521, id: "rcp-frozen" }),
      paymentsRow({ ...CHK_5521, reference: "CHK 5522", amount: 10 }),
    ];
    const notes = [
      notesRow({ customer: "C-100", type: "call", text: "first", id: "note-frozen" }),
      notesRow({ customer: "C-100", type: "email", text: "second" }),
    ];
    const built = build({ payments, notes });
    expect(built.problems).toEqual([]);
    expect(built.operations.map((op) => ("id" in op ? op.id : op.op))).toEqual(["rcp-frozen", "id-1", "note-frozen", "id-2"]);
    expect(built.assignedIds).toEqual([
      { cell: paymentsCell(1, "id"), id: "id-1" },
      { cell: notesCell(1, "id"), id: "id-2" },
    ]);
  });

  it("once the ids are written, a second build assigns nothing and produces the same operations", () => {
    const payments = [paymentsRow(CHK_5521)];
    const notes = [notesRow({ customer: "C-100", type: "call", text: "first" })];
    const first = build({ payments, notes });
    const idColumn = (spec: typeof PAYMENTS) => spec.columns.findIndex((c) => c.key === "id");
    const written = (rows: CellValue[][], spec: typeof PAYMENTS, table: string) =>
      rows.map((row, r) => {
        const id = first.assignedIds.find((a) => a.cell.table === table && a.cell.row === r)?.id;
        return id === undefined ? row : row.map((v, i) => (i === idColumn(spec) ? id : v));
      });
    const second = build({ payments: written(payments, PAYMENTS, PAYMENTS.table), notes: written(notes, NOTES, NOTES.table) }, context(sequentialIds("other")));
    expect(second.assignedIds).toEqual([]);
    expect(second.operations).toEqual(first.operations);
  });
});
