/**
 * receipt.create with bankLineId: the planner accepts only an open, booked
 * credit of exactly the receipt's amount and currency, plans the guarded
 * "matched" update with the line's version and the payer account to
 * remember, and refuses anything else naming the field.
 */
import { describe, expect, it } from "vitest";
import { planChangeSet, type PlanResult, type WorldBankLine } from "../../shared/changeset-validation.js";
import { Money } from "../../shared/money.js";
import { aChangeSet, aCustomer, aPlanContext, aWorld } from "../support/world.js";

function aBankLine(spec: Partial<Omit<WorldBankLine, "amount">> & { amount?: string; currency?: string } = {}): WorldBankLine {
  const currency = spec.currency ?? "USD";
  const amount = Money.parse(spec.amount ?? "1250.00", currency);
  return {
    id: spec.id ?? "bl-1",
    statementId: spec.statementId ?? "bs-1",
    amount,
    direction: spec.direction ?? (amount.isNegative() ? "debit" : "credit"),
    entryStatus: spec.entryStatus ?? "booked",
    status: spec.status ?? "open",
    receiptId: spec.receiptId ?? null,
    payerAccount: spec.payerAccount === undefined ? "DE89370400440532013000" : spec.payerAccount,
    version: spec.version ?? 3,
  };
}

const receipt = (fields: Record<string, unknown> = {}) => ({
  op: "receipt.create",
  ref: "Reconcile!A7",
  id: "R-1",
  customerId: "C-1",
  date: "2026-03-02",
  amount: "1250.00",
  currency: "USD",
  method: "ach",
  reference: "ACME-77",
  bankLineId: "bl-1",
  ...fields,
});

const plan = (operations: Record<string, unknown>[], lines: readonly WorldBankLine[] | null = [aBankLine()]): PlanResult => {
  const world = aWorld({ customers: [aCustomer({ id: "C-1" })] });
  return planChangeSet(
    aChangeSet(operations),
    lines === null ? world : { ...world, bankLines: new Map(lines.map((l) => [l.id, l])) },
    aPlanContext({ today: "2026-03-15" }),
  );
};

const errorsOf = (result: PlanResult) => (result.ok ? [] : result.errors.map((e) => [e.index, e.field, e.code]));

describe("receipt.create with a bank line", () => {
  it("plans the guarded match with the line's version and the payer account to remember", () => {
    const result = plan([receipt()]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.effects.filter((e) => e.kind === "bankLine.match")).toEqual([
      { kind: "bankLine.match", bankLineId: "bl-1", baseVersion: 3, receiptId: "R-1", customerId: "C-1", payerAccount: "DE89370400440532013000" },
    ]);
    expect(result.plan.effects.some((e) => e.kind === "audit" && e.action === "bankLine.match")).toBe(true);
  });

  it("remembers nothing when the line names no payer account", () => {
    const result = plan([receipt()], [aBankLine({ payerAccount: null })]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.effects.find((e) => e.kind === "bankLine.match")).toMatchObject({ payerAccount: null });
  });

  it("refuses an amount that differs from the line's, naming both", () => {
    const result = plan([receipt({ amount: "1200.00" })]);
    expect(errorsOf(result)).toEqual([[0, "amount", "bank_line_mismatch"]]);
    expect(result.ok ? "" : result.errors[0]?.message).toBe(
      'the receipt amount 1,200.00 differs from bank line "bl-1" (1,250.00 USD); record the amount the bank received',
    );
  });

  it("refuses another currency", () => {
    const result = plan([receipt({ currency: "EUR" })]);
    expect(errorsOf(result)).toEqual([[0, "currency", "bank_line_mismatch"]]);
  });

  it("refuses a line that does not exist, is matched, ignored, a debit or not booked", () => {
    expect(errorsOf(plan([receipt({ bankLineId: "bl-9" })]))).toEqual([[0, "bankLineId", "not_found"]]);
    const matched = plan([receipt()], [aBankLine({ status: "matched", receiptId: "R-0" })]);
    expect(errorsOf(matched)).toEqual([[0, "bankLineId", "bank_line_not_open"]]);
    expect(matched.ok ? "" : matched.errors[0]?.message).toMatch(/already matched to receipt "R-0"/);
    expect(errorsOf(plan([receipt()], [aBankLine({ status: "ignored" })]))).toEqual([[0, "bankLineId", "bank_line_not_open"]]);
    expect(errorsOf(plan([receipt()], [aBankLine({ amount: "-1250.00" })]))).toEqual([[0, "bankLineId", "bank_line_not_credit"]]);
    expect(errorsOf(plan([receipt()], [aBankLine({ entryStatus: "pending" })]))).toEqual([[0, "bankLineId", "bank_line_not_booked"]]);
  });

  it("lets one line record one receipt, even within one change set", () => {
    const result = plan([receipt(), receipt({ id: "R-2", ref: "Reconcile!A8" })]);
    expect(errorsOf(result)).toEqual([[1, "bankLineId", "bank_line_not_open"]]);
  });

  it("leaves the check to the server when the world does not know bank lines (the add-in's review)", () => {
    const result = plan([receipt()], null);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.effects.some((e) => e.kind === "bankLine.match")).toBe(false);
  });

  it("changes nothing for a receipt without a bank line", () => {
    const { bankLineId: _omitted, ...plain } = receipt();
    const result = plan([plain]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.effects.some((e) => e.kind === "bankLine.match")).toBe(false);
  });
});
