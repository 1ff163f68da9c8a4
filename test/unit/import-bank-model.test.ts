import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BankLine } from "../../shared/bank.js";
import {
  BankFileError,
  collectBankFile,
  isValidCreditorReference,
  makeCreditorReference,
  normalizeCreditorReference,
} from "../../shared/bank.js";
import { DomainError } from "../../shared/errors.js";
import { detectBankFormat } from "../../server/import/index.js";
import { readOwn } from "../fixtures/bank/fixture-paths.js";

describe("ISO 11649 creditor references", () => {
  it("accepts the standard's example RF18 5390 0754 7034, with or without spaces, in any case", () => {
    expect(isValidCreditorReference("RF18 5390 0754 7034")).toBe(true);
    expect(isValidCreditorReference("RF18539007547034")).toBe(true);
    expect(isValidCreditorReference("rf18 5390 0754 7034")).toBe(true);
    expect(normalizeCreditorReference(" rf18 5390 0754 7034 ")).toBe("RF18539007547034");
  });

  it("rejects wrong check digits and malformed references", () => {
    expect(isValidCreditorReference("RF19 5390 0754 7034")).toBe(false); // check digits off by one
    expect(isValidCreditorReference("RF18 5390 0754 7043")).toBe(false); // two digits swapped
    expect(isValidCreditorReference("RF18")).toBe(false); // no reference after the check digits
    expect(isValidCreditorReference("XX18539007547034")).toBe(false);
    expect(isValidCreditorReference("RF18-5390-0754-7034")).toBe(false);
    expect(isValidCreditorReference(`RF00${"1".repeat(22)}`)).toBe(false); // 25 characters at most
  });

  it("makes check digits worked out by hand", () => {
    // "1" + "RF00" → 1 27 15 00 → 1271500 = 97 × 13108 + 24 → check 98 − 24 = 74
    expect(makeCreditorReference("1")).toBe("RF741");
    // "A" + "RF00" → 10 27 15 00 → 10271500 = 97 × 105891 + 73 → check 98 − 73 = 25
    expect(makeCreditorReference("A")).toBe("RF25A");
    // and the standard's example back from its reference
    expect(makeCreditorReference("5390 0754 7034")).toBe("RF18539007547034");
    expect(() => makeCreditorReference("INV-1042")).toThrow(
      'creditor reference "INV-1042" must be 1 to 21 letters or digits',
    );
  });

  it("every made reference checks, and changing any one digit of it breaks the check", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9]{1,21}$/), (base) => {
        expect(isValidCreditorReference(makeCreditorReference(base))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,21}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (base, at, delta) => {
        const reference = makeCreditorReference(base);
        const index = 4 + (at % base.length);
        const digit = (Number(reference.charAt(index)) + delta) % 10;
        const changed = `${reference.slice(0, index)}${digit}${reference.slice(index + 1)}`;
        // 97 is prime and a one-digit change moves the number by d × 10^k with 0 < |d| < 10, never a multiple of 97.
        expect(isValidCreditorReference(changed)).toBe(false);
      }),
    );
  });
});

describe("bank file errors and collected statements", () => {
  it("names the format, line and record in the message, and is a DomainError", () => {
    const error = new BankFileError({
      format: "bai2",
      line: 14,
      record: "49 account trailer",
      problem: "control total 1 does not match 2",
    });
    expect(error.message).toBe("BAI2 line 14 (49 account trailer): control total 1 does not match 2");
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe("invalid_argument");
    expect(error.details).toEqual({ format: "bai2", line: 14, record: "49 account trailer" });
    expect(new BankFileError({ format: "csv", problem: "no account" }).message).toBe("CSV: no account");
  });

  it("refuses a line that arrives before any statement", () => {
    const line = {
      lineNo: 1,
      recordRef: "x",
      bookingDate: "2026-03-01",
      status: "booked",
      reversal: false,
      direction: "credit",
      remittance: { unstructured: [], documents: [] },
    } as unknown as BankLine;
    expect(() => collectBankFile("csv", [{ kind: "line", line }])).toThrow(
      "a bank line arrived before any statement header",
    );
  });

  it("detects the format of each of our files from its first bytes", () => {
    expect(detectBankFormat(readOwn("bai2-remittance.bai2"))).toBe("bai2");
    expect(detectBankFormat(readOwn("camt053-v08-batch-reversal.xml"))).toBe("camt.053");
    expect(detectBankFormat(readOwn("lockbox-invoices.bai"))).toBe("lockbox");
    expect(detectBankFormat(readOwn("csv-us-signed.csv"))).toBe("csv");
  });
});
