/**
 * Golden and property tests for shared/dates.ts. Expected day numbers are
 * counted by hand (shown in comments); leap years follow the Gregorian rule
 * (divisible by 4, except centuries not divisible by 400).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  daysInMonth,
  endOfMonth,
  fixedClock,
  fromDayNumber,
  isIsoDate,
  isLeapYear,
  maxDate,
  minDate,
  parseIsoDate,
  startOfMonth,
  toDayNumber,
  type IsoDate,
} from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";

const d = (text: string): IsoDate => parseIsoDate(text);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return "no error";
}

describe("parseIsoDate", () => {
  it.each(["2026-01-01", "2026-12-31", "2028-02-29", "2000-02-29", "1900-01-01", "9999-12-31", "2026-04-30"])(
    "accepts %s",
    (text) => {
      expect(parseIsoDate(text)).toBe(text);
      expect(isIsoDate(text)).toBe(true);
    },
  );

  it.each([
    ["2026-02-30", /does not exist \(month 2 of 2026 has 28 days\)/],
    ["2025-02-29", /month 2 of 2025 has 28 days/],
    ["1900-02-29", /month 2 of 1900 has 28 days/], // 1900 is a century not divisible by 400
    ["2026-04-31", /month 4 of 2026 has 30 days/],
    ["2026-13-01", /has no month 13/],
    ["2026-00-10", /has no month 0/],
    ["2026-01-00", /does not exist/],
    ["2026-1-5", /not a date written YYYY-MM-DD/],
    ["2026-01-5", /not a date written YYYY-MM-DD/],
    ["26-01-05", /not a date written YYYY-MM-DD/],
    ["2026/01/05", /not a date written YYYY-MM-DD/],
    ["2026-01-05T00:00:00Z", /not a date written YYYY-MM-DD/],
    [" 2026-01-05", /not a date written YYYY-MM-DD/],
    ["", /not a date written YYYY-MM-DD/],
    ["1899-12-31", /year outside 1900–9999/],
  ])("rejects %j", (text, message) => {
    expect(codeOf(() => parseIsoDate(text))).toBe("invalid_date");
    expect(() => parseIsoDate(text)).toThrow(message);
    expect(isIsoDate(text)).toBe(false);
  });

  it.each([20260105, null, undefined, {}])("rejects the non-string %j", (value) => {
    expect(codeOf(() => parseIsoDate(value))).toBe("invalid_date");
  });

  it("names the field", () => {
    expect(() => parseIsoDate("2026-02-30", "dueDate")).toThrow(/^dueDate: "2026-02-30"/);
  });
});

describe("calendar helpers", () => {
  it("isLeapYear and daysInMonth follow the Gregorian rule", () => {
    expect([2024, 2028, 2000, 2400].map(isLeapYear)).toEqual([true, true, true, true]);
    expect([2025, 2026, 1900, 2100].map(isLeapYear)).toEqual([false, false, false, false]);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it.each([
    ["2026-01-15", "2026-01-31"],
    ["2026-02-01", "2026-02-28"],
    ["2028-02-10", "2028-02-29"],
    ["2100-02-10", "2100-02-28"],
    ["2026-04-30", "2026-04-30"],
    ["2026-12-01", "2026-12-31"],
  ])("endOfMonth(%s) = %s", (date, expected) => {
    expect(endOfMonth(d(date))).toBe(expected);
  });

  it("startOfMonth, compareDates, minDate, maxDate", () => {
    expect(startOfMonth(d("2026-03-17"))).toBe("2026-03-01");
    expect(compareDates(d("2026-01-31"), d("2026-02-01"))).toBe(-1);
    expect(compareDates(d("2026-02-01"), d("2026-02-01"))).toBe(0);
    expect(compareDates(d("2027-01-01"), d("2026-12-31"))).toBe(1);
    expect(minDate(d("2026-05-01"), d("2026-04-30"))).toBe("2026-04-30");
    expect(maxDate(d("2026-05-01"), d("2026-04-30"))).toBe("2026-05-01");
  });

  it("fixedClock answers the same day and a UTC midnight instant by default", () => {
    const clock = fixedClock(d("2026-11-23"));
    expect(clock.today()).toBe("2026-11-23");
    expect(clock.now()).toBe("2026-11-23T00:00:00.000Z");
    expect(fixedClock(d("2026-11-23"), "2026-11-23T08:00:00.000Z").now()).toBe("2026-11-23T08:00:00.000Z");
  });
});

describe("day numbers", () => {
  it.each([
    ["1970-01-01", 0],
    ["1970-01-02", 1],
    ["1969-12-31", -1],
    // 1970–1999: 30 years, 7 of them leap (72, 76, 80, 84, 88, 92, 96) → 30 × 365 + 7 = 10957
    ["2000-01-01", 10957],
    // + Jan 31 + Feb 29 (2000 is a leap year) = 10957 + 60 = 11017
    ["2000-03-01", 11017],
    // 2000–2025: 26 years, 7 leap (00, 04, 08, 12, 16, 20, 24) → 10957 + 26 × 365 + 7 = 20454
    ["2026-01-01", 20454],
    // 1900–1969: 70 years, 17 leap (1904…1968; 1900 is not) → −(70 × 365 + 17) = −25567
    ["1900-01-01", -25567],
  ])("toDayNumber(%s) = %i and fromDayNumber inverts it", (date, n) => {
    expect(toDayNumber(d(date))).toBe(n);
    expect(fromDayNumber(n)).toBe(date);
  });

  it("fromDayNumber rejects fractions and dates outside 1900–9999", () => {
    expect(codeOf(() => fromDayNumber(1.5))).toBe("invalid_argument");
    expect(codeOf(() => fromDayNumber(-25568))).toBe("invalid_date"); // 1899-12-31
  });
});

describe("addDays", () => {
  it.each([
    ["2026-01-31", 1, "2026-02-01"], // month boundary
    ["2026-12-31", 1, "2027-01-01"], // year boundary
    ["2026-02-28", 1, "2026-03-01"], // not a leap year
    ["2028-02-28", 1, "2028-02-29"], // leap day
    ["2028-02-29", 1, "2028-03-01"],
    ["2028-03-01", -1, "2028-02-29"],
    ["2027-01-01", -1, "2026-12-31"],
    ["2026-01-01", 0, "2026-01-01"],
    // 2026-01-01 + 365 = 2027-01-01 (2026 has 365 days); 2028-01-01 + 365 = 2028-12-31 (leap year)
    ["2026-01-01", 365, "2027-01-01"],
    ["2028-01-01", 365, "2028-12-31"],
    // net 30 from an invoice on 2026-01-15: Jan has 16 days left → 2026-02-14
    ["2026-01-15", 30, "2026-02-14"],
    // 2099-12-31 + 60 days: 1 (to Jan 1) + 31 (Jan) + 28 (Feb; 2100 is not a leap year) = 60 → 2100-03-01
    ["2099-12-31", 60, "2100-03-01"],
  ])("%s + %i days = %s", (date, days, expected) => {
    expect(addDays(d(date), days)).toBe(expected);
  });

  it("rejects a fractional day count and an invalid date", () => {
    expect(codeOf(() => addDays(d("2026-01-01"), 1.5))).toBe("invalid_argument");
    expect(codeOf(() => addDays("2026-02-30" as IsoDate, 1))).toBe("invalid_date");
  });
});

describe("addMonths", () => {
  it.each([
    ["2026-01-31", 1, "2026-02-28"], // clamped to the end of February
    ["2028-01-31", 1, "2028-02-29"], // leap February
    ["2026-01-30", 1, "2026-02-28"],
    ["2026-03-31", 1, "2026-04-30"],
    ["2026-01-15", 1, "2026-02-15"],
    ["2026-11-30", 2, "2027-01-30"], // across a year end
    ["2026-12-15", 1, "2027-01-15"],
    ["2026-03-31", -1, "2026-02-28"],
    ["2026-01-15", -1, "2025-12-15"],
    ["2028-02-29", 12, "2029-02-28"],
    ["2028-02-29", 48, "2032-02-29"],
    ["2026-05-31", 0, "2026-05-31"],
    ["2026-01-31", 25, "2028-02-29"], // 25 months later is February 2028
  ])("%s + %i months = %s", (date, months, expected) => {
    expect(addMonths(d(date), months)).toBe(expected);
  });

  it("rejects fractional months", () => {
    expect(codeOf(() => addMonths(d("2026-01-31"), 0.5))).toBe("invalid_argument");
  });
});

describe("daysBetween", () => {
  it.each([
    ["2026-01-01", "2026-01-31", 30],
    ["2026-01-31", "2026-01-01", -30],
    ["2026-01-01", "2026-01-01", 0],
    ["2028-01-01", "2029-01-01", 366], // 2028 is a leap year
    ["2026-01-01", "2027-01-01", 365],
    ["2028-02-28", "2028-03-01", 2],
    ["2026-02-28", "2026-03-01", 1],
    ["1999-12-31", "2000-03-01", 61], // 1 + 31 + 29
  ])("from %s to %s is %i days", (from, to, expected) => {
    expect(daysBetween(d(from), d(to))).toBe(expected);
  });

  it("rejects an invalid date, naming which end", () => {
    expect(() => daysBetween("2026-02-30" as IsoDate, d("2026-03-01"))).toThrow(/^from:/);
    expect(() => daysBetween(d("2026-03-01"), "2026-13-01" as IsoDate)).toThrow(/^to:/);
  });
});

describe("properties", () => {
  // Day numbers for 1900-01-01 … 9999-12-31.
  const FIRST = -25567;
  const LAST = toDayNumber(d("9999-12-31"));
  const dayNumber = fc.integer({ min: FIRST, max: LAST });
  const date = dayNumber.map((n) => fromDayNumber(n));

  it("fromDayNumber(toDayNumber(x)) = x and toDayNumber(fromDayNumber(n)) = n", () => {
    fc.assert(
      fc.property(dayNumber, (n) => {
        const x = fromDayNumber(n);
        expect(isIsoDate(x)).toBe(true);
        expect(toDayNumber(x)).toBe(n);
        expect(fromDayNumber(toDayNumber(x))).toBe(x);
      }),
    );
  });

  it("consecutive day numbers are consecutive calendar days", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST - 1 }), (n) => {
        const today = fromDayNumber(n);
        const tomorrow = fromDayNumber(n + 1);
        expect(compareDates(today, tomorrow)).toBe(-1);
        const [y, m, day] = today.split("-").map(Number) as [number, number, number];
        if (day < daysInMonth(y, m)) {
          expect(tomorrow).toBe(`${today.slice(0, 8)}${String(day + 1).padStart(2, "0")}`);
        } else {
          expect(tomorrow.slice(8)).toBe("01");
        }
      }),
    );
  });

  it("addDays and daysBetween are inverse", () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -20000, max: 20000 }), (start, k) => {
        const n = toDayNumber(start) + k;
        fc.pre(n >= FIRST && n <= LAST);
        const end = addDays(start, k);
        expect(daysBetween(start, end)).toBe(k);
        expect(addDays(end, -k)).toBe(start);
      }),
    );
    fc.assert(
      fc.property(date, date, (a, b) => {
        expect(addDays(a, daysBetween(a, b))).toBe(b);
      }),
    );
  });

  it("addMonths keeps the day when it exists and otherwise lands on the month's last day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FIRST, max: toDayNumber(d("9989-12-31")) }),
        fc.integer({ min: -100, max: 100 }),
        (n, k) => {
          const start = fromDayNumber(n);
          fc.pre(start >= "1909-01-01");
          const result = addMonths(start, k);
          const [y, m, day] = start.split("-").map(Number) as [number, number, number];
          const index = y * 12 + (m - 1) + k;
          const ry = Math.floor(index / 12);
          const rm = (index % 12) + 1;
          expect(result.slice(0, 7)).toBe(`${String(ry)}-${String(rm).padStart(2, "0")}`);
          expect(Number(result.slice(8))).toBe(Math.min(day, daysInMonth(ry, rm)));
        },
      ),
    );
  });
});
