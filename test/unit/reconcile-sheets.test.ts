/**
 * The Reconcile and AR Recon sheets' projections (addin/sheets/reconcile.ts):
 * bank lines → Reconcile rows, the allocations and reasons texts, the status
 * a row goes back to, the number-format rules, and the AR-to-GL report →
 * AR Recon rows and styles. Every expected row is written out by hand,
 * column by column (Excel serial days: 2026-01-01 is 46023, so 2026-11-20 is
 * 46023 + 323 = 46346, 2026-11-15 is 46341, 2026-09-15 is 46023 + 243 + 14 = 46280).
 */
import { describe, expect, it } from "vitest";
import type { CellValue } from "../../addin/excel/gateway.js";
import { currencyDecimalRules } from "../../addin/sheets/open-items.js";
import {
  AR_RECON_RULES,
  arReconRows,
  formatAllocations,
  openStatusOfRow,
  parseAllocations,
  RECONCILE_RULES,
  reasonsText,
  reconcileRow,
  suggestionOf,
} from "../../addin/sheets/reconcile.js";
import { AR_RECON, RECONCILE } from "../../addin/sheets/specs.js";
import { parseCurrency } from "../../shared/currency.js";
import { aBankLine, anArGlReport, aSuggestion } from "../support/bank-wire.js";
import { withCells } from "../support/sheet-rows.js";

const USD = parseCurrency("USD");
const JPY = parseCurrency("JPY");

/** A row as { columnKey: value }, so a wrong column shows by name. */
function byKey(row: readonly CellValue[]): Record<string, CellValue> {
  expect(row).toHaveLength(RECONCILE.columns.length);
  return Object.fromEntries(RECONCILE.columns.map((c, i) => [c.key, row[i] ?? null]));
}

describe("reconcileRow: one bank line, one Reconcile row", () => {
  it("an auto-matched transfer: every column, what it settles read before who paid", () => {
    const line = aBankLine({ id: "line-1", amount: "1480.00" });
    expect(byKey(reconcileRow(line))).toEqual({
      date: 46346,
      amount: 1480,
      currency: "USD",
      payer: "ACME CORPORATION",
      reference: "BR-778",
      remittance: "ACH CREDIT | INV-1 INV-2",
      suggestedCustomer: "C-100",
      suggested: "INV-1 980.00 (disc 20.00); INV-2 500.00",
      confidence: 97,
      reasons: 'INV-1, INV-2 in remittance; amount equals their open total less 2% discount 20.00; customer C-100 Acme Corp: payer name "ACME CORPORATION" matches "Acme Corp" (similarity 0.96)',
      decision: "",
      customer: "",
      applyTo: "",
      status: "Auto-match",
      message: "",
      id: "line-1",
      statementId: "stmt-1",
      version: 1,
      receiptId: "",
      method: "ach",
      suggestion: JSON.stringify(aSuggestion()),
    });
  });

  it("a lockbox check below the threshold: check method, the check number as reference, documents and the creditor reference in the remittance", () => {
    const line = aBankLine({
      id: "line-7",
      statementId: "stmt-2",
      version: 3,
      amount: "2350.75",
      bankReference: null,
      customerReference: null,
      checkNumber: "000123",
      payerName: "=HYPERLINK(\"http://x\")",
      remittance: { unstructured: ["PO 77"], documents: [{ number: "INV-9", amount: "2350.75" }, { number: "INV-10" }], creditorReference: "RF18539007547034" },
      suggestion: aSuggestion({
        confidence: 0.724,
        autoAccept: false,
        allocations: [{ documentId: "doc-9", documentNumber: "INV-9", documentVersion: 5, amount: "2345.75", discount: "0.00", writeOff: "5.00", writeOffReason: "short pay" }],
        reasons: ["INV-9 in remittance; short by 5.00, within tolerance, written off"],
      }),
    });
    const row = byKey(reconcileRow(line));
    expect(row).toMatchObject({
      amount: 2350.75,
      // Server text that Excel would evaluate is written as text (leading apostrophe).
      payer: "'=HYPERLINK(\"http://x\")",
      reference: "000123",
      remittance: "RF18539007547034 | INV-9 2350.75 | INV-10 | PO 77",
      // 2,345.75 applied, grouped; the 5.00 short pay written off.
      suggested: "INV-9 2,345.75 (w/o 5.00)",
      // 0.724 → 72%: a whole percent for people.
      confidence: 72,
      reasons: "INV-9 in remittance; short by 5.00, within tolerance, written off",
      status: "To decide",
      statementId: "stmt-2",
      version: 3,
      method: "check",
    });
  });

  it("a debit, an entry not booked yet, a line already matched, a line with no suggestion", () => {
    const status = (line: Parameters<typeof reconcileRow>[0]) => byKey(reconcileRow(line)).status;
    expect(status(aBankLine({ id: "fee", amount: "-15.00", direction: "debit", suggestion: null }))).toBe("Debit (not a receipt)");
    expect(status(aBankLine({ id: "pending", entryStatus: "pending" }))).toBe("Not booked");
    expect(status(aBankLine({ id: "done", status: "matched", receiptId: "rcp-1" }))).toBe("Matched");
    const none = byKey(reconcileRow(aBankLine({ id: "interest", amount: "12.34", payerName: null, bankReference: null, customerReference: "CR-9", suggestion: null })));
    expect(none).toMatchObject({ amount: 12.34, payer: "", reference: "CR-9", suggestedCustomer: "", suggested: "", confidence: "", reasons: "", status: "To decide", suggestion: "" });
    // A debit's amount is negative in the cell (shown red by the money format).
    expect(byKey(reconcileRow(aBankLine({ id: "fee", amount: "-15.00", direction: "debit", suggestion: null }))).amount).toBe(-15);
  });

  it("a JPY line: whole yen in the cell and in the allocations text", () => {
    const line = aBankLine({
      id: "yen",
      currency: "JPY",
      amount: "150000",
      suggestion: aSuggestion({ allocations: [{ documentId: "doc-k", documentNumber: "INV-K1", documentVersion: 1, amount: "150000", discount: "0", writeOff: "0", writeOffReason: null }], unapplied: "0" }),
    });
    expect(byKey(reconcileRow(line))).toMatchObject({ amount: 150000, currency: "JPY", suggested: "INV-K1 150,000" });
  });
});

describe("reasonsText: what the money settles first, then who paid", () => {
  it("keeps the customer's caveats and rivals with the customer, after the allocation", () => {
    expect(
      reasonsText([
        "customer C-1 Acme Corp: payer name matches (similarity 0.91)",
        "but the payer name is also close to C-2 Acme Ltd",
        "customer C-2 Acme Ltd also fits (score 0.60)",
        "INV-7 in remittance; amount equals open 300.00",
        "not auto-accepted: INV-7 is disputed",
      ]),
    ).toBe(
      "INV-7 in remittance; amount equals open 300.00; not auto-accepted: INV-7 is disputed; customer C-1 Acme Corp: payer name matches (similarity 0.91); but the payer name is also close to C-2 Acme Ltd; customer C-2 Acme Ltd also fits (score 0.60)",
    );
  });

  it("leaves reasons alone when there is nothing but the customer, or no customer", () => {
    expect(reasonsText(["customer C-1 Acme Corp: payer name matches", "but the amount is round"])).toBe("customer C-1 Acme Corp: payer name matches; but the amount is round");
    expect(reasonsText(["no customer identified"])).toBe("no customer identified");
    expect(reasonsText([])).toBe("");
  });
});

describe("the allocations text with thousands", () => {
  it("groups amounts as the clerk reads them and reads them back", () => {
    const text = formatAllocations(
      [
        { documentId: "d1", documentNumber: "INV-1", documentVersion: 1, amount: "58800.00", discount: "1200.00", writeOff: "0.00", writeOffReason: null },
        { documentId: "d2", documentNumber: "INV-2", documentVersion: 1, amount: "1234.56", discount: "0.00", writeOff: "1.44", writeOffReason: "short pay" },
      ],
      USD,
    );
    expect(text).toBe("INV-1 58,800.00 (disc 1,200.00); INV-2 1,234.56 (w/o 1.44)");
    expect(parseAllocations(text, USD).map((a) => [a.number, a.amount.toString(), a.discount?.toString() ?? null, a.writeOff?.toString() ?? null])).toEqual([
      ["INV-1", "58800.00", "1200.00", null],
      ["INV-2", "1234.56", null, "1.44"],
    ]);
  });

  it("reads both extras when the first carries a thousands separator", () => {
    const [a] = parseAllocations("INV-3 98,000.00 (disc 2,000.00, w/o 1,000.50)", USD);
    expect([a?.amount.toString(), a?.discount?.toString(), a?.writeOff?.toString()]).toEqual(["98000.00", "2000.00", "1000.50"]);
  });

  it("refuses more decimals than the currency has", () => {
    expect(() => parseAllocations("INV-K1 1,500.5", JPY)).toThrow();
  });
});

describe("number formats by currency", () => {
  it("Reconcile and AR Recon amounts: 0 decimals for JPY rows, 3 for KWD rows; USD keeps the column's 2", () => {
    const rules = currencyDecimalRules(["amount"]);
    const jpy = rules.find((r) => r.equals.includes("JPY"));
    const kwd = rules.find((r) => r.equals.includes("KWD"));
    expect(jpy?.equals).toContain("JPY");
    expect(jpy).toMatchObject({ column: "currency", columns: ["amount"], style: { numberFormat: "#,##0;[Red]-#,##0" } });
    expect(kwd?.style).toEqual({ numberFormat: "#,##0.000;[Red]-#,##0.000" });
    expect(rules.some((r) => r.equals.includes("USD"))).toBe(false);
    expect(RECONCILE_RULES).toEqual(expect.arrayContaining(rules));
    expect(AR_RECON_RULES).toEqual(rules);
  });
});

describe("openStatusOfRow: the status a Reconcile row shows when an Error mark comes off", () => {
  const row = (line: Parameters<typeof reconcileRow>[0], cells: Record<string, CellValue> = {}) => withCells(RECONCILE, reconcileRow(line), { status: "Error", ...cells });

  it("from the row itself: a debit, an auto-match, anything else to decide", () => {
    expect(openStatusOfRow(row(aBankLine({ id: "fee", amount: "-15.00", direction: "debit", suggestion: null })))).toBe("Debit (not a receipt)");
    expect(openStatusOfRow(row(aBankLine({ id: "auto" })))).toBe("Auto-match");
    expect(openStatusOfRow(row(aBankLine({ id: "weak", suggestion: aSuggestion({ autoAccept: false }) })))).toBe("To decide");
    expect(openStatusOfRow(row(aBankLine({ id: "none", suggestion: null })))).toBe("To decide");
    // Someone typed over the hidden suggestion: it no longer counts.
    expect(openStatusOfRow(row(aBankLine({ id: "typed" }), { suggestion: "{not json" }))).toBe("To decide");
    expect(suggestionOf("{not json")).toBeNull();
  });
});

describe("arReconRows: the AR-to-GL report as the AR Recon sheet", () => {
  it("per currency: subledger, GL, difference, each reconciling item, then the unexplained rest", () => {
    const { rows, styles } = arReconRows(anArGlReport());
    expect(AR_RECON.columns.map((c) => c.key)).toEqual(["currency", "line", "kind", "reference", "date", "amount", "description"]);
    const SUB = "Open documents plus unapplied cash (negative), as aging shows them";
    const GL = "Σ debit − credit on the AR control account, journals dated on or before the as-of date";
    expect(rows).toEqual([
      ["USD", "Subledger open as of 2026-11-30", "", "", "", 1189.99, SUB],
      ["USD", "GL AR control 1200", "", "", "", 1014.99, GL],
      ["USD", "Difference (GL − subledger)", "", "", "", -175, ""],
      ["USD", "Reconciling item", "External journal", "GJ-1115", 46341, 25, "journal GJ-1115 posted 25.00 USD to AR control from outside the subledger"],
      ["USD", "Reconciling item", "Not posted", "INV-C", 46280, -200, "invoice INV-C has no GL posting"],
      ["USD", "Unexplained (reconciled)", "", "", "", 0, ""],
      ["JPY", "Subledger open as of 2026-11-30", "", "", "", 150000, SUB],
      ["JPY", "GL AR control 1200", "", "", "", 149000, GL],
      ["JPY", "Difference (GL − subledger)", "", "", "", -1000, ""],
      ["JPY", "Unexplained", "", "", "", -1000, ""],
    ]);
    expect(styles).toEqual([
      { fromRow: 0, toRow: 2, style: { bold: true } },
      { fromRow: 5, toRow: 5, style: { bold: true, fill: "#DFF6DD" } },
      { fromRow: 6, toRow: 8, style: { bold: true } },
      { fromRow: 9, toRow: 9, style: { bold: true, fill: "#FDE7E9", fontColor: "#A4262C" } },
    ]);
  });

  it("an item without a reference shows its journal id; one without a date leaves the cell empty", () => {
    const report = anArGlReport();
    const usd = report.currencies[0];
    if (usd === undefined) throw new Error("no USD");
    const { rows } = arReconRows({
      ...report,
      currencies: [{ ...usd, items: [{ kind: "postingWithoutEvent", amount: "10.00", date: null, journalId: "invoice:inv-x", eventId: null, reference: null, description: "a posting whose event is gone" }] }],
    });
    expect(rows[3]).toEqual(["USD", "Reconciling item", "Posting without event", "invoice:inv-x", "", 10, "a posting whose event is gone"]);
  });
});
