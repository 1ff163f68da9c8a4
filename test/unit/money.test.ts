/**
 * Golden tests for shared/money.ts. Every expected value is worked out by
 * hand (arithmetic in the comments where it is not obvious).
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "../../shared/errors.js";
import { EN_US, Money, parseDecimal } from "../../shared/money.js";

const usd = (text: string): Money => Money.parse(text, "USD");
const strings = (amounts: readonly Money[]): string[] => amounts.map((m) => m.toString());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return "no error";
}

describe("Money.parse", () => {
  it.each([
    ["1234.50", "USD", "1234.50"],
    ["-3", "USD", "-3.00"],
    ["0.1", "USD", "0.10"],
    // Trailing zeros past the minor unit are accepted (DECIMAL(19,4) columns print them).
    ["12.3400", "USD", "12.34"],
    ["0", "USD", "0.00"],
    ["-0", "USD", "0.00"],
    ["-0.00", "USD", "0.00"],
    ["007.5", "USD", "7.50"],
    ["1500", "JPY", "1500"],
    ["1.0", "JPY", "1"],
    ["1.234", "KWD", "1.234"],
    ["1.2340", "KWD", "1.234"],
    ["999999999999999.99", "USD", "999999999999999.99"],
  ])("accepts %j %s as %s", (text, currency, expected) => {
    const amount = Money.parse(text, currency);
    expect(amount.toString()).toBe(expected);
    expect(amount.currency).toBe(currency);
  });

  it.each([
    ["1e3", "exponent"],
    ["NaN", "not a number"],
    ["Infinity", "infinity"],
    ["-Infinity", "negative infinity"],
    ["", "empty text"],
    [" 12", "leading space"],
    ["12 ", "trailing space"],
    ["+5", "leading plus"],
    ["1,234.00", "thousands separator"],
    ["1.", "no digits after the point"],
    [".5", "no digits before the point"],
    ["--1", "double minus"],
    ["0x10", "hex"],
    ["12.345", "three decimals for USD"],
    ["12.3401", "a non-zero fourth decimal for USD"],
    ["1000000000000000", "16 integer digits"],
  ])("rejects %j (%s) for USD with invalid_amount", (text) => {
    expect(codeOf(() => usd(text))).toBe("invalid_amount");
  });

  it("rejects more decimals than the currency has: 1.5 JPY, 1.2345 KWD", () => {
    expect(codeOf(() => Money.parse("1.5", "JPY"))).toBe("invalid_amount");
    expect(codeOf(() => Money.parse("1.2345", "KWD"))).toBe("invalid_amount");
    expect(() => Money.parse("1.5", "JPY")).toThrow(/more than 0 decimal places, the most JPY allows/);
    expect(() => Money.parse("12.345", "USD", "lines[3].amount")).toThrow(/^lines\[3\]\.amount: "12\.345"/);
  });

  it.each([12.5, 12n, null, undefined, {}, ["1"]])("rejects the non-string %s", (value) => {
    expect(codeOf(() => Money.parse(value, "USD"))).toBe("invalid_amount");
  });

  it.each(["usd", "XXX", "US", "USDX", "", 840])("rejects the currency %j with invalid_currency", (currency) => {
    expect(codeOf(() => Money.parse("1.00", currency as string))).toBe("invalid_currency");
  });

  it("names the field in the error", () => {
    try {
      Money.parse("abc", "USD", "receipt.amount");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).field).toBe("receipt.amount");
      expect((error as DomainError).message).toContain('"abc"');
    }
  });
});

describe("Money.parseLocalized", () => {
  const GERMAN = { group: ".", decimal: "," } as const;
  const SWISS = { group: "'", decimal: "." } as const;

  it.each([
    ["1,234.50", EN_US, "1234.50"],
    ["1,234,567.89", EN_US, "1234567.89"],
    ["-1,234.50", EN_US, "-1234.50"],
    ["1234.50", EN_US, "1234.50"],
    ["999", EN_US, "999.00"],
    ["1.234,50", GERMAN, "1234.50"],
    ["1.234", GERMAN, "1234.00"],
    ["0,5", GERMAN, "0.50"],
    ["1'234.50", SWISS, "1234.50"],
  ])("%j → %s", (text, locale, expected) => {
    expect(Money.parseLocalized(text, "USD", locale).toString()).toBe(expected);
  });

  it.each([
    ["1,23,4.00", EN_US],
    ["12,34.00", EN_US],
    ["1,2345.00", EN_US],
    [",123.00", EN_US],
    ["1,234.5.0", EN_US],
    ["1.234,50", EN_US],
    ["1,234.50", GERMAN],
    ["abc", EN_US],
  ])("rejects %j", (text, locale) => {
    expect(codeOf(() => Money.parseLocalized(text, "USD", locale))).toBe("invalid_amount");
  });

  it("still applies the currency's minor units after removing separators", () => {
    expect(codeOf(() => Money.parseLocalized("1,234.567", "USD", EN_US))).toBe("invalid_amount");
    expect(Money.parseLocalized("1,234.567", "KWD", EN_US).toString()).toBe("1234.567");
    expect(codeOf(() => Money.parseLocalized(1234, "USD", EN_US))).toBe("invalid_amount");
  });
});

describe("minor units", () => {
  it.each([
    [12345n, "USD", "123.45"],
    [-5n, "USD", "-0.05"],
    [0n, "USD", "0.00"],
    [1500n, "JPY", "1500"],
    [1234n, "KWD", "1.234"],
    [-1n, "KWD", "-0.001"],
  ])("fromMinor(%s, %s) is %s and toMinor round-trips", (minor, currency, expected) => {
    const amount = Money.fromMinor(minor, currency);
    expect(amount.toString()).toBe(expected);
    expect(amount.toMinor()).toBe(minor);
  });

  it("accepts minor units as integer text (BIGINT read as a string) and rejects anything else", () => {
    expect(Money.fromMinor("-250", "USD").toString()).toBe("-2.50");
    expect(Money.fromMinor("-0", "USD").toString()).toBe("0.00");
    for (const bad of ["1.5", "1e3", "", " 1", "+1"]) {
      expect(codeOf(() => Money.fromMinor(bad, "USD"))).toBe("invalid_amount");
    }
  });

  it("toMinor of parsed amounts: 1234.50 USD → 123450n, 12.3400 USD → 1234n, 7 JPY → 7n", () => {
    expect(usd("1234.50").toMinor()).toBe(123450n);
    expect(usd("12.3400").toMinor()).toBe(1234n);
    expect(Money.parse("7", "JPY").toMinor()).toBe(7n);
  });
});

describe("arithmetic and comparison", () => {
  it("adds and subtracts exactly (0.1 + 0.2 = 0.30, not 0.30000000000000004)", () => {
    expect(usd("0.1").add(usd("0.2")).toString()).toBe("0.30");
    expect(usd("10.00").subtract(usd("10.01")).toString()).toBe("-0.01");
    expect(usd("5").subtract(usd("5")).toString()).toBe("0.00");
    expect(Money.sum([usd("1.10"), usd("2.20"), usd("-0.30")], "USD").toString()).toBe("3.00");
    expect(Money.sum([], "JPY").toString()).toBe("0");
  });

  it("add, subtract, compare and sum across currencies throw currency_mismatch", () => {
    const eur = Money.parse("1.00", "EUR");
    expect(codeOf(() => usd("1.00").add(eur))).toBe("currency_mismatch");
    expect(codeOf(() => usd("1.00").subtract(eur))).toBe("currency_mismatch");
    expect(codeOf(() => usd("1.00").compare(eur))).toBe("currency_mismatch");
    expect(codeOf(() => usd("1.00").gt(eur))).toBe("currency_mismatch");
    expect(codeOf(() => Money.sum([usd("1"), eur], "USD"))).toBe("currency_mismatch");
    expect(() => usd("1.00").add(eur)).toThrow(/USD and EUR/);
    // equals answers the question instead of throwing: different currencies are simply not equal.
    expect(usd("1.00").equals(eur)).toBe(false);
  });

  it("compares", () => {
    expect(usd("1.00").compare(usd("2.00"))).toBe(-1);
    expect(usd("2.00").compare(usd("2"))).toBe(0);
    expect(usd("-1").compare(usd("-2"))).toBe(1);
    expect(usd("1.5").equals(usd("1.50"))).toBe(true);
    expect(usd("3").min(usd("2")).toString()).toBe("2.00");
    expect(usd("3").max(usd("2")).toString()).toBe("3.00");
    expect(usd("0").isZero()).toBe(true);
    expect(usd("-0").isNegative()).toBe(false);
    expect(usd("-0.01").isNegative()).toBe(true);
    expect(usd("0").isPositive()).toBe(false);
  });

  it("negates and takes absolute values without producing -0", () => {
    expect(usd("12.50").negate().toString()).toBe("-12.50");
    expect(usd("0").negate().toString()).toBe("0.00");
    expect(usd("-7.25").abs().toString()).toBe("7.25");
  });
});

describe("percentage and multiply", () => {
  it.each([
    // 10.25 × 2 / 100 = 0.205 → half-up 0.21
    ["10.25", "2", "0.21"],
    // 10.24 × 2 / 100 = 0.2048 → 0.20
    ["10.24", "2", "0.20"],
    // negative amounts round away from zero: −0.205 → −0.21
    ["-10.25", "2", "-0.21"],
    ["-10.24", "2", "-0.20"],
    // 1,000.00 × 1.5 / 100 = 15.00
    ["1000.00", "1.5", "15.00"],
    // 0.01 × 10 / 100 = 0.001 → 0.00
    ["0.01", "10", "0.00"],
    // −0.01 × 10 / 100 = −0.001 → 0.00 (not −0.00)
    ["-0.01", "10", "0.00"],
  ])("%s × %s%% half-up = %s", (amount, percent, expected) => {
    expect(usd(amount).percentage(percent).toString()).toBe(expected);
  });

  it.each([
    // 0.205 → even neighbour 0.20; 0.215 → 0.22; 10.26 × 2% = 0.2052 is not a tie → 0.21
    ["10.25", "2", "0.20"],
    ["10.75", "2", "0.22"],
    ["10.26", "2", "0.21"],
    ["-10.25", "2", "-0.20"],
  ])("%s × %s%% half-even = %s", (amount, percent, expected) => {
    expect(usd(amount).percentage(percent, "halfEven").toString()).toBe(expected);
  });

  it("rounds down toward zero with `down`", () => {
    // 10.29 × 2 / 100 = 0.2058 → 0.20; −0.2058 → −0.20
    expect(usd("10.29").percentage("2", "down").toString()).toBe("0.20");
    expect(usd("-10.29").percentage("2", "down").toString()).toBe("-0.20");
  });

  it("rounds to the currency's minor unit (JPY 1,005 × 5% = 50.25 → 50; KWD 10.005 × 5% = 0.50025 → 0.500)", () => {
    expect(Money.parse("1005", "JPY").percentage("5").toString()).toBe("50");
    expect(Money.parse("10.005", "KWD").percentage("5").toString()).toBe("0.500");
  });

  it("multiplies by a decimal factor (19.99 × 3 = 59.97; 10.00 × 0.3333 = 3.333 → 3.33)", () => {
    expect(usd("19.99").multiply("3").toString()).toBe("59.97");
    expect(usd("10.00").multiply("0.3333").toString()).toBe("3.33");
  });

  it.each(["1e2", "", " 2", "two", "2%"])("rejects the percent %j", (percent) => {
    expect(codeOf(() => usd("10").percentage(percent))).toBe("invalid_argument");
  });
});

describe("allocate", () => {
  it.each([
    // 10000 cents / 3 = 3333 r 1 → the first part takes the extra cent.
    ["100.00", "USD", ["1", "1", "1"], ["33.34", "33.33", "33.33"]],
    // 5 cents × 3/10 = 1.5, × 7/10 = 3.5 → floors 1 + 3, leftover 1; remainders tie at .5 → first part.
    ["0.05", "USD", ["3", "7"], ["0.02", "0.03"]],
    // magnitudes are split, then the sign is put back
    ["-100.00", "USD", ["1", "1", "1"], ["-33.34", "-33.33", "-33.33"]],
    ["-0.05", "USD", ["3", "7"], ["-0.02", "-0.03"]],
    ["100", "JPY", ["1", "1", "1"], ["34", "33", "33"]],
    ["1.000", "KWD", ["1", "1", "1"], ["0.334", "0.333", "0.333"]],
    // 10000 × 1/6 = 1666.67, × 2/6 = 3333.33, × 3/6 = 5000 → floors 1666 + 3333 + 5000 = 9999;
    // the largest remainder (.67, part 0) takes the cent.
    ["100.00", "USD", ["1", "2", "3"], ["16.67", "33.33", "50.00"]],
    // a zero ratio gets nothing
    ["10.00", "USD", ["0", "1"], ["0.00", "10.00"]],
    // decimal and bigint ratios: 1 cent by [0.5, 0.5] → 0.5 + 0.5, tie → first
    ["0.01", "USD", ["0.5", "0.5"], ["0.01", "0.00"]],
    ["0.00", "USD", ["1", "2"], ["0.00", "0.00"]],
  ])("%s %s by %j → %j", (amount, currency, ratios, expected) => {
    const parts = Money.parse(amount, currency).allocate(ratios);
    expect(strings(parts)).toEqual(expected);
    expect(Money.sum(parts, currency).toString()).toBe(Money.parse(amount, currency).toString());
  });

  it("accepts bigint ratios (7 cents by [1n, 1n] → 0.04, 0.03)", () => {
    expect(strings(usd("0.07").allocate([1n, 1n]))).toEqual(["0.04", "0.03"]);
  });

  it.each([
    [[], /at least one ratio/],
    [["0", "0"], /must not all be zero/],
    [["-1", "2"], /must not be negative/],
    [["1e2"], /not a plain decimal/],
    [["abc"], /not a plain decimal/],
  ])("rejects the ratios %j", (ratios, message) => {
    expect(codeOf(() => usd("10").allocate(ratios))).toBe("invalid_argument");
    expect(() => usd("10").allocate(ratios)).toThrow(message);
  });

  it("allocateEvenly splits into parts that differ by at most one minor unit, larger first", () => {
    expect(strings(usd("100.00").allocateEvenly(3))).toEqual(["33.34", "33.33", "33.33"]);
    expect(strings(usd("0.05").allocateEvenly(3))).toEqual(["0.02", "0.02", "0.01"]);
    expect(strings(usd("7.00").allocateEvenly(1))).toEqual(["7.00"]);
  });

  it.each([0, -1, 2.5, Number.NaN])("allocateEvenly(%s) is rejected", (count) => {
    expect(codeOf(() => usd("10").allocateEvenly(count))).toBe("invalid_argument");
  });
});

describe("format", () => {
  it.each([
    ["1250", "USD", "1,250.00"],
    ["1234567.89", "USD", "1,234,567.89"],
    ["-1234567.89", "USD", "-1,234,567.89"],
    ["999.99", "USD", "999.99"],
    ["0", "USD", "0.00"],
    ["100000", "USD", "100,000.00"],
    ["1234567", "JPY", "1,234,567"],
    ["-1000", "JPY", "-1,000"],
    ["1234.5", "KWD", "1,234.500"],
  ])("%s %s → %s", (amount, currency, expected) => {
    expect(Money.parse(amount, currency).format()).toBe(expected);
  });

  it("toString/toJSON give canonical text with exactly the currency's decimals", () => {
    expect(JSON.stringify({ amount: usd("5") })).toBe('{"amount":"5.00"}');
    expect(Money.parse("500", "JPY").toJSON()).toBe("500");
    expect(Money.parse("3", "KWD").toString()).toBe("3.000");
  });
});

describe("parseDecimal", () => {
  it("parses plain decimals and rejects anything else", () => {
    expect(parseDecimal("2.5", "rate").toString()).toBe("2.5");
    expect(parseDecimal("-0.125", "rate").toString()).toBe("-0.125");
    for (const bad of ["1e3", "", " 1", "+1", "NaN", 2.5]) {
      expect(codeOf(() => parseDecimal(bad, "rate"))).toBe("invalid_argument");
    }
  });
});
