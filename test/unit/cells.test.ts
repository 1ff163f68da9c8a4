/**
 * addin/excel/cells.ts: the one place amounts, dates and text become cell
 * values and back. Expected values are worked out by hand in the comments.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cellToDate,
  cellToMoney,
  cellToText,
  dateToCell,
  moneyFormat,
  moneyToCell,
  numberText,
  textToCell,
} from "../../addin/excel/cells.js";
import { DomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import { asExcelStores } from "../support/fake-gateway.js";
import { cur, d, money } from "../support/builders.js";

function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

describe("moneyToCell / cellToMoney", () => {
  it.each([
    ["1234.50", "USD", 1234.5],
    ["-0.01", "USD", -0.01],
    ["0.00", "USD", 0],
    ["999999999999.99", "USD", 999999999999.99],
    ["150000", "JPY", 150000],
    ["-1", "JPY", -1],
    ["12.345", "KWD", 12.345],
    ["-0.001", "KWD", -0.001],
  ])("%s %s is the number %d in the cell and reads back as the same amount", (text, code, cell) => {
    const amount = money(text, code);
    expect(moneyToCell(amount)).toBe(cell);
    const back = cellToMoney(cell, cur(code), "open");
    expect(back?.toString()).toBe(amount.toString());
    expect(back?.currency).toBe(code);
  });

  it("round-trips every amount of up to 15 significant digits exactly (USD, JPY, KWD)", () => {
    // 15 significant digits is what a double holds exactly to the display; the
    // minor-unit ranges below keep within it: USD 13+2, JPY 15+0, KWD 12+3.
    const cases = [
      { code: "USD", limit: 10n ** 15n - 1n },
      { code: "JPY", limit: 10n ** 15n - 1n },
      { code: "KWD", limit: 10n ** 15n - 1n },
    ];
    for (const { code, limit } of cases) {
      fc.assert(
        fc.property(fc.bigInt({ min: -limit, max: limit }), (minor) => {
          const amount = Money.fromMinor(minor, code);
          const back = cellToMoney(moneyToCell(amount), cur(code), "amount");
          expect(back?.toString()).toBe(amount.toString());
        }),
        { numRuns: 300 },
      );
    }
  });

  it("reads empty cells as no amount", () => {
    expect(cellToMoney(null, cur("USD"), "apply")).toBeNull();
    expect(cellToMoney("", cur("USD"), "apply")).toBeNull();
    expect(cellToMoney("   ", cur("USD"), "apply")).toBeNull();
  });

  it("reads a zero as zero, not as missing", () => {
    expect(cellToMoney(0, cur("USD"), "apply")?.toString()).toBe("0.00");
    // String(-0) is "0": the sign of a negative zero is not an amount.
    expect(cellToMoney(-0, cur("USD"), "apply")?.toString()).toBe("0.00");
  });

  it("reads typed text strictly", () => {
    expect(cellToMoney(" 12.34 ", cur("USD"), "apply")?.toString()).toBe("12.34");
    expect(domainError(() => cellToMoney("1,234.00", cur("USD"), "apply")).code).toBe("invalid_amount");
  });

  it("a computed double such as 0.1 + 0.2 is too many decimals, not silently rounded", () => {
    // 0.1 + 0.2 is the double 0.30000000000000004: 17 decimals, USD allows 2.
    const cell = 0.1 + 0.2;
    const error = domainError(() => cellToMoney(cell, cur("USD"), "apply"));
    expect(error.code).toBe("invalid_amount");
    expect(error.message).toContain("apply");
    expect(error.message).toContain("0.30000000000000004");
    expect(error.message).toContain("more than 2 decimal places");
    expect(error.field).toBe("apply");
  });

  it("a fraction in a JPY cell and a fourth decimal in a KWD cell are refused", () => {
    expect(domainError(() => cellToMoney(1.5, cur("JPY"), "apply")).message).toContain("the most JPY allows");
    expect(domainError(() => cellToMoney(1.2345, cur("KWD"), "apply")).message).toContain("more than 3 decimal places");
  });

  it("tiny and huge doubles are read from their full decimal text", () => {
    // 1e-7 is 0.0000001: 7 decimals.
    expect(domainError(() => cellToMoney(1e-7, cur("USD"), "apply")).message).toContain('"0.0000001"');
    // 1.5e21 has 22 integer digits; Money allows 15.
    expect(domainError(() => cellToMoney(1.5e21, cur("USD"), "apply")).message).toContain("too large");
  });

  it("refuses non-finite numbers and non-amounts", () => {
    expect(domainError(() => cellToMoney(Number.NaN, cur("USD"), "apply")).message).toBe("apply: not a finite number");
    expect(domainError(() => cellToMoney(Number.POSITIVE_INFINITY, cur("USD"), "apply")).code).toBe("invalid_amount");
    expect(domainError(() => cellToMoney(true, cur("USD"), "apply")).message).toBe("apply: expected an amount, found true");
  });
});

describe("numberText", () => {
  it.each([
    [123.45, "123.45"],
    [-0.5, "-0.5"],
    [0, "0"],
    // String(1e-7) is "1e-7": mantissa 1, point moves 7 left → 0.0000001 (six zeros, then 1).
    [1e-7, "0.0000001"],
    // 1.23e-7: digits "123", point at 1 − 7 = −6 → "0." + six zeros + "123".
    [1.23e-7, "0.000000123"],
    [-2.5e-8, "-0.000000025"],
    // String(1.5e21) is "1.5e+21": digits "15", point at 1 + 21 = 22 → "15" + twenty zeros.
    [1.5e21, "1500000000000000000000"],
    [1e21, "1000000000000000000000"],
    [-1.25e22, "-12500000000000000000000"],
  ])("%d is written %s", (value, text) => {
    expect(numberText(value)).toBe(text);
  });
});

describe("dateToCell / cellToDate (Excel 1900 date system)", () => {
  it.each([
    // The epoch: Excel's well-known serial of 1970-01-01.
    ["1970-01-01", 25569],
    // 1970→2000: 30 years × 365 + 7 leap days (1972…1996) = 10957; 25569 + 10957 = 36526.
    ["2000-01-01", 36526],
    // 1970→2026-01-01: 56 × 365 + 14 leap days (1972…2024) = 20454;
    // Jan–Oct 2026 = 31+28+31+30+31+30+31+31+30+31 = 304, plus 22 days → 20780; 25569 + 20780 = 46349.
    ["2026-11-23", 46349],
    // 2026-09-01: 20454 + (31+28+31+30+31+30+31+31 = 243) = 20697; + 25569 = 46266.
    ["2026-09-01", 46266],
    // Leap day: 2024-01-01 is 20454 − 365 − 366 = 19723; + 31 + 28 = 19782; + 25569 = 45351.
    ["2024-02-29", 45351],
    // Excel's serial 61 is 1900-03-01 (serial 60 is its fictitious 1900-02-29).
    ["1900-03-01", 61],
  ])("%s is serial %d, and back", (iso, serial) => {
    expect(dateToCell(d(iso))).toBe(serial);
    expect(cellToDate(serial, "dueDate")).toBe(iso);
  });

  it("reads ISO text typed into a date cell", () => {
    expect(cellToDate(" 2026-11-23 ", "dueDate")).toBe("2026-11-23");
  });

  it("reads empty cells as no date", () => {
    expect(cellToDate(null, "dueDate")).toBeNull();
    expect(cellToDate("", "dueDate")).toBeNull();
  });

  it("refuses a time of day, impossible dates and non-dates", () => {
    const fraction = domainError(() => cellToDate(46349.5, "dueDate"));
    expect(fraction.code).toBe("invalid_date");
    expect(fraction.message).toBe("dueDate: 46349.5 is not a whole day");
    expect(domainError(() => cellToDate("2026-02-30", "dueDate")).code).toBe("invalid_date");
    expect(domainError(() => cellToDate(true, "dueDate")).message).toBe("dueDate: expected a date, found true");
  });
});

describe("text safety: textToCell / cellToText", () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=x", "'\t=x"],
    ["\r=x", "'\r=x"],
  ])("%j is written as text with a leading apostrophe", (text, cell) => {
    expect(textToCell(text)).toBe(cell);
    // What Excel keeps is the text itself; reading the written value back gives it too.
    expect(asExcelStores(textToCell(text))).toBe(text);
    expect(cellToText(cell)).toBe(text);
  });

  it.each(["Acme Corp", "INV-1001", "12345", "00123", "", "a=b", "Müller & Söhne", "1+1"])("%j is written untouched", (text) => {
    expect(textToCell(text)).toBe(text);
    expect(cellToText(text)).toBe(text);
  });

  it("a leading apostrophe that belongs to the text survives Excel (Dutch names such as 't Hart)", () => {
    // Excel eats one leading apostrophe as the text marker, so the text needs a second one.
    expect(textToCell("'t Hart Transport")).toBe("''t Hart Transport");
    expect(asExcelStores(textToCell("'t Hart Transport"))).toBe("'t Hart Transport");
    // Read back from Excel (marker gone), the name is shown as it is.
    expect(cellToText("'t Hart Transport")).toBe("'t Hart Transport");
  });

  it("cellToText shows numbers, booleans and empty cells as text", () => {
    expect(cellToText(null)).toBe("");
    expect(cellToText(42)).toBe("42");
    expect(cellToText(true)).toBe("true");
    expect(cellToText("'hello")).toBe("'hello");
  });

  // Biased towards the characters that matter here: markers and formula starts.
  const anyText = fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: fc.constantFrom("'", "=", "+", "-", "@", "\t", "\r", "a", "1", " ") }));

  it("any server text survives being written through Excel unchanged", () => {
    fc.assert(
      fc.property(anyText, (t) => {
        expect(asExcelStores(textToCell(t)) ?? "").toBe(t);
      }),
      { numRuns: 1000 },
    );
  });

  it("cellToText undoes textToCell for text that does not start with its own apostrophe", () => {
    fc.assert(
      fc.property(
        anyText.filter((t) => !t.startsWith("'")),
        (t) => {
          expect(cellToText(textToCell(t))).toBe(t);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("numbers are never turned into text", () => {
    expect(moneyToCell(money("-5.00", "USD"))).toBe(-5);
    expect(typeof moneyToCell(money("-5.00", "USD"))).toBe("number");
  });
});

describe("moneyFormat", () => {
  it.each([
    [0, "#,##0;[Red]-#,##0"],
    [2, "#,##0.00;[Red]-#,##0.00"],
    [3, "#,##0.000;[Red]-#,##0.000"],
  ])("%d decimals: %s", (digits, format) => {
    expect(moneyFormat(digits)).toBe(format);
  });
});
