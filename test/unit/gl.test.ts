import { describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import { ACCOUNTS, ACCOUNT_NAMES, balancedJournal, type Journal } from "../../shared/gl.js";
import { cur, d, money, usd } from "../support/builders.js";

const base = {
  id: "application:a-1",
  date: d("2026-03-09"),
  eventKind: "application",
  eventId: "a-1",
  memo: "application to INV-101",
  currency: cur("USD"),
};

/** Lines as [account, debit, credit] text, to compare against hand-written tables. */
const linesOf = (journal: Journal | null) =>
  journal?.lines.map((l) => [l.account, l.debit.toString(), l.credit.toString()]);

describe("balancedJournal", () => {
  it("posts one debit and one credit line per leg, in leg order", () => {
    const journal = balancedJournal({
      ...base,
      legs: [
        { debit: "unappliedCash", credit: "accountsReceivable", amount: usd("980.00") },
        { debit: "salesDiscounts", credit: "accountsReceivable", amount: usd("20.00") },
      ],
    });
    expect(linesOf(journal)).toEqual([
      ["2050", "980.00", "0.00"],
      ["1200", "0.00", "980.00"],
      ["4900", "20.00", "0.00"],
      ["1200", "0.00", "20.00"],
    ]);
  });

  it("returns exactly the journal's fields: date, kind, event, memo, currency and lines (not the legs)", () => {
    const journal = balancedJournal({
      ...base,
      legs: [{ debit: "cash", credit: "unappliedCash", amount: usd("1.00") }],
    });
    expect(journal).not.toBeNull();
    expect(Object.keys(journal ?? {}).sort()).toEqual([
      "currency",
      "date",
      "eventId",
      "eventKind",
      "id",
      "lines",
      "memo",
    ]);
    expect(journal).toMatchObject({ ...base });
  });

  it("drops zero legs", () => {
    const journal = balancedJournal({
      ...base,
      legs: [
        { debit: "unappliedCash", credit: "accountsReceivable", amount: usd("400.00") },
        { debit: "salesDiscounts", credit: "accountsReceivable", amount: usd("0.00") },
        { debit: "badDebt", credit: "accountsReceivable", amount: usd("-0.00") },
      ],
    });
    expect(linesOf(journal)).toEqual([
      ["2050", "400.00", "0.00"],
      ["1200", "0.00", "400.00"],
    ]);
  });

  it("returns null when every leg is zero: nothing to post", () => {
    expect(
      balancedJournal({ ...base, legs: [{ debit: "salesDiscounts", credit: "accountsReceivable", amount: usd("0") }] }),
    ).toBeNull();
    expect(balancedJournal({ ...base, legs: [] })).toBeNull();
  });

  it("posts a negative leg (a reversal) with debit and credit swapped", () => {
    // Reversing a 200.00 cash application: DR AR 200.00, CR unapplied cash 200.00.
    const journal = balancedJournal({
      ...base,
      legs: [
        { debit: "unappliedCash", credit: "accountsReceivable", amount: usd("-200.00") },
        { debit: "badDebt", credit: "accountsReceivable", amount: usd("-2.50") },
      ],
    });
    expect(linesOf(journal)).toEqual([
      ["1200", "200.00", "0.00"],
      ["2050", "0.00", "200.00"],
      ["1200", "2.50", "0.00"],
      ["6100", "0.00", "2.50"],
    ]);
  });

  it("keeps each currency's minor units: JPY has none, KWD three", () => {
    const yen = balancedJournal({
      ...base,
      currency: cur("JPY"),
      legs: [{ debit: "cash", credit: "unappliedCash", amount: money("15000", "JPY") }],
    });
    expect(linesOf(yen)).toEqual([
      ["1000", "15000", "0"],
      ["2050", "0", "15000"],
    ]);
    const dinar = balancedJournal({
      ...base,
      currency: cur("KWD"),
      legs: [{ debit: "cash", credit: "unappliedCash", amount: money("12.345", "KWD") }],
    });
    expect(linesOf(dinar)).toEqual([
      ["1000", "12.345", "0.000"],
      ["2050", "0.000", "12.345"],
    ]);
  });

  it("refuses a leg in another currency than the journal", () => {
    const run = () =>
      balancedJournal({
        ...base,
        legs: [
          { debit: "cash", credit: "unappliedCash", amount: usd("10.00") },
          { debit: "cash", credit: "unappliedCash", amount: money("10.00", "EUR") },
        ],
      });
    expect(run).toThrow(DomainError);
    expect(run).toThrow(/journal application:a-1 is in USD but a leg is in EUR/);
    try {
      run();
    } catch (error) {
      expect((error as DomainError).code).toBe("currency_mismatch");
    }
  });

  it("refuses a mixed-currency leg even when its amount is zero", () => {
    expect(() =>
      balancedJournal({ ...base, legs: [{ debit: "cash", credit: "unappliedCash", amount: money("0", "EUR") }] }),
    ).toThrow(/is in USD but a leg is in EUR/);
  });

  it("every journal it returns balances: total debits equal total credits", () => {
    const journal = balancedJournal({
      ...base,
      legs: [
        { debit: "cash", credit: "unappliedCash", amount: usd("1700.00") },
        { debit: "unappliedCash", credit: "accountsReceivable", amount: usd("-297.50") },
        { debit: "badDebt", credit: "accountsReceivable", amount: usd("0.01") },
      ],
    });
    const debits = (journal?.lines ?? []).reduce((sum, l) => sum.add(l.debit), usd("0"));
    const credits = (journal?.lines ?? []).reduce((sum, l) => sum.add(l.credit), usd("0"));
    // 1700.00 + 297.50 + 0.01 on each side.
    expect(debits.toString()).toBe("1997.51");
    expect(credits.toString()).toBe("1997.51");
  });
});

describe("chart of accounts", () => {
  it("has a distinct number and a name for every account", () => {
    const numbers = Object.values(ACCOUNTS);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(Object.keys(ACCOUNT_NAMES).sort()).toEqual(Object.keys(ACCOUNTS).sort());
  });
});
