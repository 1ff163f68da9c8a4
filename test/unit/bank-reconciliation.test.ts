/**
 * Bank deposit reconciliation of one statement, on hand-made statements.
 * Every figure below is worked out by hand in its comment.
 */
import { describe, expect, it } from "vitest";
import {
  reconcileBankStatement,
  type ReconciliationLine,
  type ReconciliationReceipt,
  type ReconciliationStatement,
} from "../../shared/bank-reconciliation.js";
import { cur, d, money, usd } from "../support/builders.js";

const statement = (spec: Partial<ReconciliationStatement> = {}): ReconciliationStatement => ({
  id: "bs-1",
  currency: cur("USD"),
  from: d("2026-11-02"),
  to: d("2026-11-03"),
  openingBalance: usd("10000.00"),
  closingBalance: usd("12185.40"),
  ...spec,
});

let lineNo = 0;
const line = (amount: string, spec: Partial<ReconciliationLine> = {}): ReconciliationLine => {
  lineNo += 1;
  const money = usd(amount);
  return {
    id: `bl-${lineNo}`,
    lineNo,
    bookingDate: d("2026-11-02"),
    amount: money,
    direction: money.isNegative() ? "debit" : "credit",
    entryStatus: "booked",
    status: "open",
    receiptId: null,
    payerName: null,
    reference: null,
    ...spec,
  };
};

const receipt = (id: string, amount: string, date = "2026-11-02"): ReconciliationReceipt => ({
  id,
  customerId: "C-1",
  customerNumber: "C-0001",
  customerName: "Acme Corp",
  date: d(date),
  amount: usd(amount),
  method: "ach",
  reference: `REF-${id}`,
  reversed: false,
});

describe("bank deposit reconciliation", () => {
  // Opening 10,000.00; credits 1,250.00 + 980.50 = 2,230.50; debit 45.10 (bank fee).
  // 10,000.00 + 2,230.50 − 45.10 = 12,185.40 = closing: it ties.
  const acme = line("1250.00", { status: "matched", receiptId: "R-1" });
  const globex = line("980.50", { status: "matched", receiptId: "R-2" });
  const fee = line("-45.10");
  const pending = line("75.50", { entryStatus: "pending" });
  const lines = [acme, globex, fee, pending];
  const receiptsByLine = new Map([
    [acme.id, receipt("R-1", "1250.00")],
    [globex.id, receipt("R-2", "980.50")],
  ]);
  const inTransit = receipt("R-3", "300.00", "2026-11-03");

  it("pairs lines with their receipts, lists what is left on each side, and ties to the closing balance", () => {
    const report = reconcileBankStatement({ statement: statement(), lines, receiptsByLine, receiptsWithoutLine: [inTransit] });
    expect(report.matched.map((m) => [m.line.id, m.receipt.id])).toEqual([
      [acme.id, "R-1"],
      [globex.id, "R-2"],
    ]);
    expect(report.linesWithoutReceipt.map((l) => l.id)).toEqual([fee.id]);
    expect(report.receiptsWithoutLine.map((r) => r.id)).toEqual(["R-3"]);
    // The pending 75.50 is listed but neither counted nor matched.
    expect(report.notBooked.map((l) => l.id)).toEqual([pending.id]);
    expect(JSON.parse(JSON.stringify(report.totals))).toEqual({
      credits: "2230.50",
      debits: "45.10",
      net: "2185.40", // 2,230.50 − 45.10
      matched: "2230.50",
      creditsWithoutReceipt: "0.00",
      debitsWithoutReceipt: "45.10",
      receiptsWithoutLine: "300.00",
    });
    expect(JSON.parse(JSON.stringify(report.balance))).toEqual({
      opening: "10000.00",
      closing: "12185.40",
      expectedClosing: "12185.40",
      difference: "0.00",
      ties: true,
      message: "ties out: opening 10,000.00 + credits 2,230.50 − debits 45.10 = closing 12,185.40 USD",
    });
  });

  it("states the difference when the closing balance does not follow from the lines", () => {
    // Closing written 12,185.00: 12,185.00 − 12,185.40 = −0.40.
    const report = reconcileBankStatement({
      statement: statement({ closingBalance: usd("12185.00") }),
      lines,
      receiptsByLine,
      receiptsWithoutLine: [],
    });
    expect(report.balance.ties).toBe(false);
    expect(report.balance.difference?.toString()).toBe("-0.40");
    expect(report.balance.message).toBe(
      "does not tie: opening 10,000.00 + credits 2,230.50 − debits 45.10 = 12,185.40, but the closing balance is 12,185.00 USD (difference -0.40)",
    );
  });

  it("cannot tie a statement without balances, and says which is missing", () => {
    const report = reconcileBankStatement({
      statement: statement({ openingBalance: null }),
      lines,
      receiptsByLine,
      receiptsWithoutLine: [],
    });
    expect(report.balance).toMatchObject({ ties: null, difference: null, expectedClosing: null });
    expect(report.balance.message).toBe("the statement gives no opening balance, so it cannot be tied out");
    const neither = reconcileBankStatement({
      statement: statement({ openingBalance: null, closingBalance: null }),
      lines: [],
      receiptsByLine: new Map(),
      receiptsWithoutLine: [],
    });
    expect(neither.balance.message).toBe("the statement gives no opening and no closing balance, so it cannot be tied out");
  });

  it("counts an open credit as a line without a receipt", () => {
    const open = line("500.00");
    const report = reconcileBankStatement({ statement: statement(), lines: [open], receiptsByLine: new Map(), receiptsWithoutLine: [] });
    expect(report.totals.creditsWithoutReceipt.toString()).toBe("500.00");
    expect(report.linesWithoutReceipt).toEqual([open]);
  });

  it("lists lines in another currency apart instead of summing them", () => {
    // A EUR statement with one EUR credit of 10.00 and one USD line of 1.00: only the 10.00 counts.
    const eur = { ...line("1.00"), amount: money("10.00", "EUR") };
    const foreign = line("1.00");
    const report = reconcileBankStatement({
      statement: statement({ currency: cur("EUR"), openingBalance: money("0.00", "EUR"), closingBalance: money("10.00", "EUR") }),
      lines: [eur, foreign],
      receiptsByLine: new Map(),
      receiptsWithoutLine: [],
    });
    expect(report.otherCurrency).toEqual([foreign]);
    expect(report.totals.credits.toString()).toBe("10.00");
    expect(report.balance.ties).toBe(true);
    expect(report.balance.message).toBe(
      "ties out: opening 0.00 + credits 10.00 − debits 0.00 = closing 10.00 EUR; 1 line is in another currency than EUR, listed but not counted",
    );
  });
});
