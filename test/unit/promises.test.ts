import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { promiseStatus, type PromiseStatus, type PromiseStatusInput } from "../../shared/promises.js";
import { d, money, usd } from "../support/builders.js";

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

/** A promise made on 2026-11-10 to pay 500.00 USD by Friday 2026-11-20. */
function promise(overrides: Partial<PromiseStatusInput> = {}): PromiseStatusInput {
  return {
    promisedAmount: usd("500.00"),
    promisedDate: d("2026-11-20"),
    madeOn: d("2026-11-10"),
    paidSince: usd("0.00"),
    today: d("2026-11-15"),
    ...overrides,
  };
}

describe("promiseStatus", () => {
  // [what, paidSince, today, graceDays, expected] — promise of 500.00 by 2026-11-20, made 2026-11-10.
  const golden: [string, string, string, number, PromiseStatus][] = [
    ["nothing paid, five days to go", "0.00", "2026-11-15", 0, "pending"],
    ["paid in full early", "500.00", "2026-11-15", 0, "kept"],
    ["paid in full on the promised date", "500.00", "2026-11-20", 0, "kept"],
    ["paid more than promised", "650.00", "2026-11-25", 0, "kept"],
    ["paid in full, judged long after", "500.00", "2027-03-01", 0, "kept"],
    ["nothing paid, the promised date is today", "0.00", "2026-11-20", 0, "pending"],
    ["nothing paid, the day after the promised date", "0.00", "2026-11-21", 0, "broken"],
    ["partial payment before the date", "200.00", "2026-11-19", 0, "pending"],
    ["partial payment on the date", "200.00", "2026-11-20", 0, "pending"],
    ["partial payment, the day after", "200.00", "2026-11-21", 0, "broken"],
    // 500.00 − 499.99 = 0.01 short: not kept.
    ["one cent short, the day after", "499.99", "2026-11-21", 0, "broken"],
    // Grace 3: 2026-11-20 + 3 = 2026-11-23 is the last day a payment is on time.
    ["grace: nothing paid, last day of grace", "0.00", "2026-11-23", 3, "pending"],
    ["grace: nothing paid, the day after the grace", "0.00", "2026-11-24", 3, "broken"],
    ["grace: paid in full within the grace", "500.00", "2026-11-24", 3, "kept"],
    ["grace: partial, the day after the grace", "499.00", "2026-11-24", 3, "broken"],
    // Judged before the promise was recorded (an as-of view of an earlier day): nothing paid yet, the date is ahead.
    ["judged before the promise was made", "0.00", "2026-11-01", 0, "pending"],
  ];
  it.each(golden)("%s: paid %s as of %s (grace %i) → %s", (_what, paid, today, graceDays, expected) => {
    expect(promiseStatus(promise({ paidSince: usd(paid), today: d(today), graceDays }))).toBe(expected);
  });

  it("counts grace days across month and leap-day boundaries", () => {
    // 2026-11-30 + 2 days: December 1, December 2.
    const endOfMonth = promise({ promisedDate: d("2026-11-30"), graceDays: 2 });
    expect(promiseStatus({ ...endOfMonth, today: d("2026-12-02") })).toBe("pending");
    expect(promiseStatus({ ...endOfMonth, today: d("2026-12-03") })).toBe("broken");
    // 2028 is a leap year: 2028-02-28 + 1 day is 2028-02-29, the day after that 2028-03-01.
    const leap = promise({ madeOn: d("2028-02-01"), promisedDate: d("2028-02-28"), graceDays: 1 });
    expect(promiseStatus({ ...leap, today: d("2028-02-29") })).toBe("pending");
    expect(promiseStatus({ ...leap, today: d("2028-03-01") })).toBe("broken");
  });

  it("judges other currencies at their own minor units", () => {
    // JPY has no decimals, KWD three.
    const yen = promise({
      promisedAmount: money("50000", "JPY"),
      paidSince: money("49999", "JPY"),
      today: d("2026-11-21"),
    });
    expect(promiseStatus(yen)).toBe("broken");
    expect(promiseStatus({ ...yen, paidSince: money("50000", "JPY") })).toBe("kept");
    const dinar = promise({
      promisedAmount: money("12.345", "KWD"),
      paidSince: money("12.344", "KWD"),
      today: d("2026-11-20"),
    });
    expect(promiseStatus(dinar)).toBe("pending");
    expect(promiseStatus({ ...dinar, paidSince: money("12.345", "KWD") })).toBe("kept");
  });

  it("keeps a promise made after its own date (logged late) judged by the same rules", () => {
    // Recorded on 11-25 that the customer had promised to pay by 11-20: nothing paid since → broken.
    const late = promise({ madeOn: d("2026-11-25"), today: d("2026-11-25") });
    expect(promiseStatus(late)).toBe("broken");
    expect(promiseStatus({ ...late, paidSince: usd("500.00") })).toBe("kept");
  });

  describe("refuses malformed input", () => {
    it("a promised amount that is zero or negative", () => {
      for (const amount of ["0.00", "-500.00"]) {
        const error = rejection(() => promiseStatus(promise({ promisedAmount: usd(amount) })));
        expect([error.code, error.field]).toEqual(["invalid_amount", "promisedAmount"]);
        expect(error.message).toContain(amount);
      }
    });

    it("a negative amount paid", () => {
      const error = rejection(() => promiseStatus(promise({ paidSince: usd("-0.01") })));
      expect([error.code, error.field]).toEqual(["invalid_amount", "paidSince"]);
      expect(error.message).toContain("-0.01");
    });

    it("payments in another currency than the promise", () => {
      const error = rejection(() => promiseStatus(promise({ paidSince: money("500.00", "EUR") })));
      expect([error.code, error.field]).toEqual(["currency_mismatch", "paidSince"]);
      expect(error.message).toMatch(/EUR.*USD/);
    });

    it("grace days that are negative or not whole", () => {
      for (const graceDays of [-1, 1.5, Number.NaN]) {
        const error = rejection(() => promiseStatus(promise({ graceDays })));
        expect([error.code, error.field]).toEqual(["invalid_argument", "graceDays"]);
      }
    });

    it("dates that are not real calendar dates, naming the field", () => {
      const cases: [keyof PromiseStatusInput, string][] = [
        ["promisedDate", "2026-02-30"],
        ["madeOn", "2026-13-01"],
        ["today", "23.11.2026"],
      ];
      for (const [field, value] of cases) {
        const error = rejection(() => promiseStatus({ ...promise(), [field]: value }));
        expect([error.code, error.field]).toEqual(["invalid_date", field]);
      }
    });
  });

  describe("properties", () => {
    const cents = fc.bigInt({ min: 0n, max: 10_000_000n });
    const offset = fc.integer({ min: -60, max: 60 });
    const grace = fc.integer({ min: 0, max: 10 });

    it("once broken stays broken on every later day, and paying more never un-keeps a promise", () => {
      fc.assert(
        fc.property(
          cents,
          cents,
          offset,
          fc.integer({ min: 1, max: 30 }),
          grace,
          (paid, extra, day, later, graceDays) => {
            const base = promise({
              paidSince: Money.fromMinor(paid, "USD"),
              today: addDays(d("2026-11-20"), day),
              graceDays,
            });
            const status = promiseStatus(base);
            if (status === "broken")
              expect(promiseStatus({ ...base, today: addDays(base.today, later) })).toBe("broken");
            if (status === "kept") {
              expect(promiseStatus({ ...base, paidSince: base.paidSince.add(Money.fromMinor(extra, "USD")) })).toBe(
                "kept",
              );
            }
          },
        ),
      );
    });

    it("is kept exactly when the amount paid covers the promise, whatever the day", () => {
      fc.assert(
        fc.property(cents, offset, grace, (paid, day, graceDays) => {
          const status = promiseStatus(
            promise({ paidSince: Money.fromMinor(paid, "USD"), today: addDays(d("2026-11-20"), day), graceDays }),
          );
          // 500.00 USD is 50,000 cents.
          expect(status === "kept").toBe(paid >= 50_000n);
          if (paid < 50_000n) expect(status).toBe(day > graceDays ? "broken" : "pending");
        }),
      );
    });
  });
});
