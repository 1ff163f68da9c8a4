/**
 * formatMinorUnits writes whole minor units as the decimal text the API
 * sends for an amount: worked examples, then the same text as
 * Money.fromMinor(…).toString() for any amount and currency (the streaming
 * pull relies on the two agreeing byte for byte).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { minorUnits, parseCurrency } from "../../shared/currency.js";
import { formatMinorUnits } from "../../shared/minor-units.js";
import { Money } from "../../shared/money.js";

describe("formatMinorUnits", () => {
  it("puts the point the currency's digits from the right, padding with zeros", () => {
    expect(formatMinorUnits(12345n, 2)).toBe("123.45");
    expect(formatMinorUnits(5n, 2)).toBe("0.05");
    expect(formatMinorUnits(100n, 2)).toBe("1.00");
    expect(formatMinorUnits(0n, 2)).toBe("0.00");
    expect(formatMinorUnits(7n, 3)).toBe("0.007"); // 7 fils (KWD)
    expect(formatMinorUnits(12345678n, 4)).toBe("1234.5678"); // UYW
  });

  it("writes negatives with a leading minus, credits as the API shows them", () => {
    expect(formatMinorUnits(-5n, 2)).toBe("-0.05");
    expect(formatMinorUnits(-250000n, 2)).toBe("-2500.00");
    expect(formatMinorUnits(-1n, 3)).toBe("-0.001");
  });

  it("leaves zero-decimal currencies as whole numbers", () => {
    expect(formatMinorUnits(500n, 0)).toBe("500");
    expect(formatMinorUnits(-500n, 0)).toBe("-500");
    expect(formatMinorUnits(0n, 0)).toBe("0");
  });

  it("is exact beyond the range of a double", () => {
    expect(formatMinorUnits(9007199254740993n, 2)).toBe("90071992547409.93");
    expect(formatMinorUnits(-999999999999999999n, 2)).toBe("-9999999999999999.99");
  });

  it("refuses a digit count no currency has", () => {
    expect(() => formatMinorUnits(1n, 5)).toThrow(RangeError);
    expect(() => formatMinorUnits(1n, -1)).toThrow(RangeError);
    expect(() => formatMinorUnits(1n, 1.5)).toThrow(RangeError);
  });

  it("gives the same text as Money.fromMinor(…).toString() (property)", () => {
    const currency = fc.constantFrom("USD", "JPY", "KWD", "EUR", "BHD", "CLP", "UYW", "ISK").map((c) => parseCurrency(c));
    const minor = fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n });
    fc.assert(
      fc.property(minor, currency, (m, c) => {
        expect(formatMinorUnits(m, minorUnits(c))).toBe(Money.fromMinor(m, c).toString());
      }),
      { numRuns: 2000 },
    );
  });
});
