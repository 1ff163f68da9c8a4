import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import {
  discountAmount,
  discountAvailable,
  discountDeadline,
  dueDate,
  parseTerms,
  termsCode,
  type PaymentTerms,
} from "../../shared/terms.js";
import { d } from "../support/builders.js";

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

describe("parseTerms", () => {
  // [text, code, netDays, endOfMonth, discount]
  const accepted: [string, string, number, boolean, PaymentTerms["discount"]][] = [
    ["NET 30", "NET 30", 30, false, null],
    ["net 30", "NET 30", 30, false, null],
    ["N30", "NET 30", 30, false, null],
    ["n 30", "NET 30", 30, false, null],
    ["NET30", "NET 30", 30, false, null],
    ["  Net   45 ", "NET 45", 45, false, null],
    ["NET 0", "DUE ON RECEIPT", 0, false, null],
    ["2/10 NET 30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["2/10 N30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["2/10net30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["2 / 10  net 30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["2/10, n/30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["2%/10 NET 30", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["1.5/15 NET 45", "1.5/15 NET 45", 45, false, { percent: "1.5", days: 15 }],
    ["1.50/15 NET 45", "1.5/15 NET 45", 45, false, { percent: "1.5", days: 15 }],
    ["2/10 NET 10", "2/10 NET 10", 10, false, { percent: "2", days: 10 }],
    // No net stated: net is due 20 days after the discount period (business-math convention).
    ["2/10", "2/10 NET 30", 30, false, { percent: "2", days: 10 }],
    ["EOM", "EOM", 0, true, null],
    ["eom", "EOM", 0, true, null],
    ["NET 0 EOM", "EOM", 0, true, null],
    ["NET 10 EOM", "NET 10 EOM", 10, true, null],
    ["n10 eom", "NET 10 EOM", 10, true, null],
    ["NET10EOM", "NET 10 EOM", 10, true, null],
    ["2/10 EOM", "2/10 NET 30 EOM", 30, true, { percent: "2", days: 10 }],
    ["2/10 NET 30 EOM", "2/10 NET 30 EOM", 30, true, { percent: "2", days: 10 }],
    ["DUE ON RECEIPT", "DUE ON RECEIPT", 0, false, null],
    ["due  on receipt", "DUE ON RECEIPT", 0, false, null],
    ["Due upon receipt", "DUE ON RECEIPT", 0, false, null],
    ["COD", "DUE ON RECEIPT", 0, false, null],
    ["c.o.d.", "DUE ON RECEIPT", 0, false, null],
  ];
  it.each(accepted)("reads %j as %s", (text, code, netDays, endOfMonth, discount) => {
    expect(parseTerms(text)).toEqual({ code, netDays, endOfMonth, discount });
  });

  const rejected: [unknown, RegExp][] = [
    ["", /terms is empty/],
    ["   ", /terms is empty/],
    ["NET", /not payment terms/],
    ["NET 30 DAYS", /not payment terms/],
    ["30", /not payment terms/],
    ["2/10 NET 30 PROX", /not payment terms/],
    ["NETT 30", /not payment terms/],
    ["hello", /not payment terms/],
    ["NET -30", /net days "-30" .* whole number of days, 0 or more/],
    ["NET 30.5", /net days "30.5" .* whole number/],
    ["NET 99999", /net days 99999 .* more than 3650/],
    ["2/40 NET 30", /40 discount days, more than its 30 net days/],
    ["2/31 NET 30 EOM", /31 discount days, more than its 30 net days/],
    ["0/10 NET 30", /discount percent 0 .* more than 0 and less than 100/],
    ["100/10 NET 30", /discount percent 100 .* more than 0 and less than 100/],
    ["150/10 NET 30", /discount percent 150/],
    ["-2/10 NET 30", /discount percent "-2" .* not a plain positive decimal/],
    ["2e1/10 NET 30", /discount percent "2e1"/i],
    ["2/-10 NET 30", /discount days "-10" .* whole number/],
    ["2/10.5 NET 30", /discount days "10.5" .* whole number/],
    [30, /terms must be text/],
    [null, /terms must be text/],
    [undefined, /terms must be text/],
    [{ code: "NET 30" }, /terms must be text/],
  ];
  it.each(rejected)("rejects %j with invalid_terms", (text, message) => {
    const error = rejection(() => parseTerms(text));
    expect(error.code).toBe("invalid_terms");
    expect(error.field).toBe("terms");
    expect(error.message).toMatch(message);
  });

  it("names the field it was given", () => {
    const error = rejection(() => parseTerms("NET x", "customers[3].terms"));
    expect(error.field).toBe("customers[3].terms");
    expect(error.message).toMatch(/^customers\[3\]\.terms: "NET x"/);
  });

  it("reads back every code it writes (one code per meaning)", () => {
    const terms = fc
      .record({
        netDays: fc.integer({ min: 0, max: 400 }),
        endOfMonth: fc.boolean(),
        discount: fc.option(
          fc.record({
            percent: fc.constantFrom("0.5", "1", "1.5", "2", "2.25", "10", "99.9"),
            share: fc.integer({ min: 0, max: 100 }),
          }),
        ),
      })
      .map(({ netDays, endOfMonth, discount }) => {
        const parts = {
          netDays,
          endOfMonth,
          discount:
            discount === null
              ? null
              : { percent: discount.percent, days: Math.floor((netDays * discount.share) / 100) },
        };
        return { code: termsCode(parts), ...parts };
      });
    fc.assert(
      fc.property(terms, (t) => {
        expect(parseTerms(t.code)).toEqual(t);
        expect(parseTerms(` ${t.code.toLowerCase()} `)).toEqual(t);
      }),
    );
  });
});

describe("dueDate", () => {
  // Worked by hand from month lengths (Jan 31, Feb 28 / 29 in 2028, Dec 31).
  const cases: [string, string, string][] = [
    ["NET 30", "2026-01-15", "2026-02-14"], // Jan 15 +16 = Jan 31, +14 = Feb 14
    ["NET 30", "2026-01-30", "2026-03-01"], // +1 = Jan 31, +28 = Feb 28, +1 = Mar 1
    ["NET 30", "2026-12-15", "2027-01-14"], // +16 = Dec 31, +14 = Jan 14 next year
    ["NET 30", "2028-01-30", "2028-02-29"], // +1 = Jan 31, +29 = Feb 29 (2028 is a leap year)
    ["NET 30", "2028-02-29", "2028-03-30"], // Mar 1 is +1, so +30 is Mar 30
    ["NET 30", "2028-02-15", "2028-03-16"], // +14 = Feb 29, +16 = Mar 16
    ["NET 45", "2026-11-20", "2027-01-04"], // +10 = Nov 30, +31 = Dec 31, +4 = Jan 4
    ["DUE ON RECEIPT", "2026-03-05", "2026-03-05"],
    ["EOM", "2026-01-31", "2026-01-31"],
    ["EOM", "2026-01-01", "2026-01-31"],
    ["EOM", "2026-02-10", "2026-02-28"],
    ["EOM", "2028-02-10", "2028-02-29"],
    ["EOM", "2026-12-15", "2026-12-31"],
    ["NET 10 EOM", "2026-12-15", "2027-01-10"], // Dec 31 + 10
    ["NET 10 EOM", "2026-01-31", "2026-02-10"], // Jan 31 + 10
    ["NET 10 EOM", "2028-02-01", "2028-03-10"], // Feb 29 + 10
    ["NET 30 EOM", "2026-01-15", "2026-03-02"], // Jan 31 + 28 = Feb 28, + 2 = Mar 2
    ["2/10 NET 30", "2026-01-25", "2026-02-24"], // +6 = Jan 31, +24 = Feb 24
    ["2/10 NET 30 EOM", "2026-06-16", "2026-07-30"], // Jun 30 + 30
    ["2/10 NET 30 EOM", "2026-12-05", "2027-01-30"], // Dec 31 + 30
    ["2/10 EOM", "2026-11-20", "2026-12-30"], // implied NET 30 EOM: Nov 30 + 30
  ];
  it.each(cases)("%s from %s is due %s", (terms, documentDate, expected) => {
    expect(dueDate(parseTerms(terms), d(documentDate))).toBe(expected);
  });

  it("rejects malformed terms objects and dates", () => {
    const bad = [
      { code: "NET 30", netDays: -1, endOfMonth: false, discount: null },
      { code: "NET 30", netDays: 30.5, endOfMonth: false, discount: null },
      { code: "NET 30", netDays: 30, endOfMonth: "no", discount: null },
      { code: "2/10 NET 30", netDays: 30, endOfMonth: false, discount: { percent: 2, days: 10 } },
      { code: "2/10 NET 30", netDays: 30, endOfMonth: false, discount: { percent: "0", days: 10 } },
      { code: "2/40 NET 30", netDays: 30, endOfMonth: false, discount: { percent: "2", days: 40 } },
      { code: "2/10 NET 30", netDays: 30, endOfMonth: false },
    ] as unknown as PaymentTerms[];
    for (const terms of bad) {
      expect(rejection(() => dueDate(terms, d("2026-01-01"))).code).toBe("invalid_terms");
    }
    expect(rejection(() => dueDate(parseTerms("NET 30"), "2026-02-30" as never)).code).toBe("invalid_date");
  });
});

describe("discount deadline and availability", () => {
  const twoTen = parseTerms("2/10 NET 30");

  it("counts discount days from the document date, or from the end of its month for EOM terms", () => {
    expect(discountDeadline(twoTen, d("2026-01-25"))).toBe("2026-02-04"); // +6 = Jan 31, +4 = Feb 4
    expect(discountDeadline(twoTen, d("2026-12-28"))).toBe("2027-01-07"); // +3 = Dec 31, +7 = Jan 7
    expect(discountDeadline(twoTen, d("2028-02-25"))).toBe("2028-03-06"); // +4 = Feb 29, +6 = Mar 6
    // AMA / Monash marketing dictionary, "End of Month Dating": shipped June 16 on 2/10 EOM terms,
    // the discount may be taken through July 10.
    expect(discountDeadline(parseTerms("2/10 EOM"), d("2026-06-16"))).toBe("2026-07-10");
    expect(discountDeadline(parseTerms("2/10 NET 30 EOM"), d("2026-12-05"))).toBe("2027-01-10");
    expect(discountDeadline(parseTerms("NET 30"), d("2026-01-25"))).toBeNull();
    expect(discountDeadline(parseTerms("EOM"), d("2026-01-25"))).toBeNull();
  });

  // Document 2026-01-25 on 2/10 NET 30: last discount day 2026-02-04.
  const availability: [string, number | undefined, boolean][] = [
    ["2026-01-20", undefined, true], // paid before the document date: still early
    ["2026-01-25", undefined, true],
    ["2026-02-04", undefined, true], // last discount day
    ["2026-02-05", undefined, false], // the day after
    ["2026-02-05", 0, false],
    ["2026-02-05", 1, true], // one grace day
    ["2026-02-06", 1, false],
    ["2026-02-07", 3, true],
    ["2026-02-08", 3, false],
  ];
  it.each(availability)("paid %s with %s grace days: available %s", (paymentDate, graceDays, expected) => {
    const params = { terms: twoTen, documentDate: d("2026-01-25"), paymentDate: d(paymentDate) };
    expect(discountAvailable(graceDays === undefined ? params : { ...params, graceDays })).toBe(expected);
  });

  it("is never available without a discount", () => {
    expect(
      discountAvailable({ terms: parseTerms("NET 30"), documentDate: d("2026-01-25"), paymentDate: d("2026-01-25") }),
    ).toBe(false);
  });

  it("rejects bad grace days", () => {
    for (const graceDays of [-1, 1.5, Number.NaN]) {
      const error = rejection(() =>
        discountAvailable({ terms: twoTen, documentDate: d("2026-01-25"), paymentDate: d("2026-01-25"), graceDays }),
      );
      expect(error.code).toBe("invalid_argument");
      expect(error.field).toBe("graceDays");
    }
  });
});

describe("discountAmount", () => {
  const onTime = { documentDate: d("2026-01-05"), paymentDate: d("2026-01-15") }; // last day of 2/10
  const late = { documentDate: d("2026-01-05"), paymentDate: d("2026-01-16") };

  // [terms, amount, currency, expected] — percent × amount, half-up to the minor unit.
  const cases: [string, string, string, string][] = [
    ["2/10 NET 30", "1250.00", "USD", "25.00"],
    ["2/10 NET 30", "10.25", "USD", "0.21"], // 0.205 → 0.21 half-up (half-even would give 0.20)
    ["2/10 NET 30", "10.24", "USD", "0.20"], // 0.2048
    ["1.5/15 NET 45", "333.33", "USD", "5.00"], // 4.99995 → 5.00
    ["1.5/15 NET 45", "1000.00", "USD", "15.00"],
    ["2/10 NET 30", "0.00", "USD", "0.00"],
    ["2/10 NET 30", "12345", "JPY", "247"], // 246.9 → 247
    ["2/10 NET 30", "1025", "JPY", "21"], // 20.5 → 21 half-up
    ["2/10 NET 30", "1024", "JPY", "20"], // 20.48
    ["2/10 NET 30", "10.025", "KWD", "0.201"], // 0.2005 → 0.201
    ["1.5/15 NET 45", "1.234", "KWD", "0.019"], // 0.01851 → 0.019
  ];
  it.each(cases)("%s on %s %s is %s", (terms, amount, currency, expected) => {
    const discount = discountAmount({ terms: parseTerms(terms), amount: Money.parse(amount, currency), ...onTime });
    expect(discount.currency).toBe(currency);
    expect(discount.toString()).toBe(expected);
  });

  it("is zero (in the amount's currency) when the discount is not available", () => {
    expect(
      discountAmount({ terms: parseTerms("2/10 NET 30"), amount: Money.parse("1250.00", "USD"), ...late }).toString(),
    ).toBe("0.00");
    expect(
      discountAmount({ terms: parseTerms("2/10 NET 30"), amount: Money.parse("12345", "JPY"), ...late }).toString(),
    ).toBe("0");
    expect(
      discountAmount({ terms: parseTerms("2/10 NET 30"), amount: Money.parse("10.025", "KWD"), ...late }).toString(),
    ).toBe("0.000");
    expect(
      discountAmount({ terms: parseTerms("NET 30"), amount: Money.parse("100.00", "USD"), ...onTime }).toString(),
    ).toBe("0.00");
  });

  it("honours grace days", () => {
    const terms = parseTerms("2/10 NET 30");
    const amount = Money.parse("1250.00", "USD");
    expect(discountAmount({ terms, amount, ...late, graceDays: 1 }).toString()).toBe("25.00");
    expect(discountAmount({ terms, amount, ...late, paymentDate: d("2026-01-17"), graceDays: 1 }).toString()).toBe(
      "0.00",
    );
  });

  it("rejects negative and non-Money amounts", () => {
    const terms = parseTerms("2/10 NET 30");
    expect(rejection(() => discountAmount({ terms, amount: Money.parse("-1.00", "USD"), ...onTime })).code).toBe(
      "invalid_amount",
    );
    expect(rejection(() => discountAmount({ terms, amount: "100.00" as unknown as Money, ...onTime })).code).toBe(
      "invalid_amount",
    );
  });
});
