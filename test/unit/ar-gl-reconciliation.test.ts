/**
 * AR-to-GL reconciliation (pure) and the checks on journals imported from
 * outside the subledger. Figures are worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import { reconcileArToGl, type ArGlInput } from "../../shared/ar-gl-reconciliation.js";
import { planExternalJournals } from "../../shared/gl-journal-import.js";
import { d, money, usd } from "../support/builders.js";

/**
 * As of 2026-09-30, USD:
 * - subledger: INV-A 1,000.00 less 400.00 applied = 600.00; INV-B 500.00 (dated 09-28);
 *   INV-C 200.00 (never posted) → documents 1,300.00; unapplied cash −150.00;
 *   aging total 1,300.00 − 150.00 = 1,150.00.
 * - GL AR control: INV-A +1,000.00 (09-10), application −400.00 (09-20), external GJ-1
 *   +75.00 (09-30); INV-B's journal is dated 10-02 → 1,000.00 − 400.00 + 75.00 = 675.00.
 * - difference 675.00 − 1,150.00 = −475.00, explained by +150.00 (unapplied cash)
 *   + 75.00 (GJ-1) − 500.00 (INV-B posted after) − 200.00 (INV-C not posted) = −475.00.
 */
const september: ArGlInput = {
  asOf: d("2026-09-30"),
  account: "1200",
  subledger: [{ currency: "USD", documents: usd("1300.00"), unappliedCash: usd("-150.00") }],
  gl: [{ currency: "USD", balance: usd("675.00") }],
  externalJournals: [{ journalId: "external:GJ-1", date: d("2026-09-30"), reference: "GJ-1", memo: "accrual correction", amount: usd("75.00") }],
  postingsAcross: [
    { journalId: "invoice:inv-b", eventKind: "invoice", eventId: "inv-b", reference: "INV-B", journalDate: d("2026-10-02"), eventDate: d("2026-09-28"), amount: usd("500.00") },
  ],
  unposted: [{ eventKind: "invoice", eventId: "inv-c", reference: "INV-C", eventDate: d("2026-09-15"), amount: usd("200.00") }],
};

describe("AR-to-GL reconciliation", () => {
  it("explains the difference item by item, leaving nothing unexplained", () => {
    const report = reconcileArToGl(september);
    expect(report.currencies).toHaveLength(1);
    const usdRec = report.currencies[0];
    expect(JSON.parse(JSON.stringify({ ...usdRec, items: undefined }))).toEqual({
      currency: "USD",
      subledgerOpen: "1150.00",
      subledgerDocuments: "1300.00",
      unappliedCash: "-150.00",
      glBalance: "675.00",
      difference: "-475.00",
      explained: "-475.00",
      unexplained: "0.00",
      reconciled: true,
    });
    expect(usdRec?.items.map((i) => [i.kind, i.amount.toString(), i.reference])).toEqual([
      ["unappliedCash", "150.00", null],
      ["externalJournal", "75.00", "GJ-1"],
      ["postedAfterAsOf", "-500.00", "INV-B"],
      ["notPosted", "-200.00", "INV-C"],
    ]);
    expect(usdRec?.items[2]?.description).toBe(
      "invoice INV-B dated 2026-09-28 (period 2026-09) was posted to the GL on 2026-10-02 (period 2026-10): in the subledger as of 2026-09-30, not yet in the GL (500.00 USD on AR)",
    );
  });

  it("reports what it cannot explain instead of hiding it", () => {
    // The same, with the GL 10.00 higher than the journals account for: unexplained 10.00.
    const report = reconcileArToGl({ ...september, gl: [{ currency: "USD", balance: usd("685.00") }] });
    expect(report.currencies[0]?.unexplained.toString()).toBe("10.00");
    expect(report.currencies[0]?.reconciled).toBe(false);
  });

  it("counts a journal posted before its event, and one whose event is missing, as GL-side items", () => {
    // As of 2026-09-30 a credit memo dated 10-01 posted on 09-30 (−80.00 on AR) is in the GL only: +(−80.00).
    // A subledger journal whose document row is gone (+40.00 on AR, dated 09-29) is in the GL only: +40.00.
    const report = reconcileArToGl({
      asOf: d("2026-09-30"),
      account: "1200",
      subledger: [],
      gl: [{ currency: "EUR", balance: money("-40.00", "EUR") }],
      externalJournals: [],
      postingsAcross: [
        { journalId: "creditMemo:cm-1", eventKind: "creditMemo", eventId: "cm-1", reference: "CM-1", journalDate: d("2026-09-30"), eventDate: d("2026-10-01"), amount: money("-80.00", "EUR") },
        { journalId: "invoice:gone", eventKind: "invoice", eventId: "gone", reference: null, journalDate: d("2026-09-29"), eventDate: null, amount: money("40.00", "EUR") },
      ],
      unposted: [],
    });
    const eur = report.currencies[0];
    // difference −40.00 − 0.00 = −40.00 = −80.00 + 40.00
    expect(eur?.items.map((i) => [i.kind, i.amount.toString()])).toEqual([
      ["postedBeforeEvent", "-80.00"],
      ["postingWithoutEvent", "40.00"],
    ]);
    expect(eur?.unexplained.toString()).toBe("0.00");
  });

  it("keeps currencies apart", () => {
    const report = reconcileArToGl({
      ...september,
      subledger: [...september.subledger, { currency: "EUR", documents: money("10.00", "EUR"), unappliedCash: money("0.00", "EUR") }],
      gl: [...september.gl, { currency: "EUR", balance: money("10.00", "EUR") }],
    });
    expect(report.currencies.map((c) => [c.currency, c.difference.toString(), c.unexplained.toString()])).toEqual([
      ["EUR", "0.00", "0.00"],
      ["USD", "-475.00", "0.00"],
    ]);
  });
});

describe("journals imported from outside the subledger", () => {
  const ctx = { closedPeriods: new Set(["2026-08"]), today: d("2026-11-23") };
  const journal = (fields: Record<string, unknown> = {}) => ({
    id: "GJ-1",
    date: "2026-09-30",
    memo: "accrual correction",
    currency: "USD",
    lines: [
      { account: "1200", debit: "75.00" },
      { account: "6100", credit: "75.00" },
    ],
    ...fields,
  });
  const codes = (body: unknown) => {
    const plan = planExternalJournals(body, ctx);
    return plan.ok ? [] : plan.errors.map((e) => [e.index, e.field, e.code]);
  };

  it("turns a balanced journal to AR control into an external journal", () => {
    const plan = planExternalJournals({ journals: [journal()] }, ctx);
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    expect(plan.journals).toHaveLength(1);
    expect(plan.journals[0]).toMatchObject({ id: "external:GJ-1", eventKind: "external", eventId: "GJ-1", date: "2026-09-30" });
    expect(plan.journals[0]?.lines.map((l) => [l.account, l.debit.toString(), l.credit.toString()])).toEqual([
      ["1200", "75.00", "0.00"],
      ["6100", "0.00", "75.00"],
    ]);
  });

  it("refuses an unbalanced journal, naming both sums", () => {
    const plan = planExternalJournals({ journals: [journal({ lines: [{ account: "1200", debit: "75.00" }, { account: "6100", credit: "70.00" }] })] }, ctx);
    expect(plan.ok ? [] : plan.errors.map((e) => e.message)).toEqual(['journal "GJ-1" does not balance: debits 75.00 ≠ credits 70.00 USD']);
  });

  it("refuses a closed period, the future, a journal that misses AR, bad lines and repeats", () => {
    expect(codes({ journals: [journal({ date: "2026-08-31" })] })).toEqual([[0, "date", "closed_period"]]);
    expect(codes({ journals: [journal({ date: "2026-11-24" })] })).toEqual([[0, "date", "future_date"]]);
    expect(codes({ journals: [journal({ lines: [{ account: "1000", debit: "5.00" }, { account: "6100", credit: "5.00" }] })] })).toEqual([
      [0, "lines", "not_ar_control"],
    ]);
    expect(codes({ journals: [journal({ lines: [{ account: "1200", debit: "5.00", credit: "5.00" }, { account: "6100", credit: "5.00" }] })] })).toEqual([
      [0, "lines.0", "invalid_line"],
    ]);
    expect(codes({ journals: [journal({ lines: [{ account: "1200", debit: "5.001" }, { account: "6100", credit: "5.00" }] })] })).toEqual([
      [0, "lines.0.debit", "invalid_amount"],
    ]);
    expect(codes({ journals: [journal(), journal()] })).toEqual([[1, "id", "duplicate_id"]]);
    expect(codes({ journals: [journal({ extra: 1 })] })).toEqual([[0, "extra", "unknown_field"]]);
    expect(codes({ journals: [] })).toEqual([[-1, "journals", "invalid_field"]]);
  });
});
