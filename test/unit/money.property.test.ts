/**
 * Property tests for shared/money.ts: allocation never loses or invents a
 * minor unit, add/subtract are inverses, minor units round-trip.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal, Money } from "../../shared/money.js";

const CURRENCIES = ["USD", "JPY", "KWD", "EUR", "BHD", "CLP"] as const;

/** Minor units, negative and positive, below parse()'s 10^15 limit even for 0-decimal currencies. */
const minorAmount = fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n });
const currency = fc.constantFrom(...CURRENCIES);
const amount = fc.tuple(minorAmount, currency).map(([minor, code]) => Money.fromMinor(minor, code));

/** Ratios as decimal strings (integers and up to 4 decimals), at least one non-zero. */
const ratio = fc.oneof(
  fc.nat({ max: 1000 }).map(String),
  fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 9999 })).map(([w, f]) => `${w}.${String(f).padStart(4, "0")}`),
);
const ratios = fc
  .array(ratio, { minLength: 1, maxLength: 12 })
  .filter((rs) => rs.some((r) => !new Decimal(r).isZero()));

describe("allocate (property)", () => {
  it("parts always sum back exactly to the amount", () => {
    fc.assert(
      fc.property(amount, ratios, (total, rs) => {
        const parts = total.allocate(rs);
        expect(parts).toHaveLength(rs.length);
        expect(Money.sum(parts, total.currency).equals(total)).toBe(true);
        for (const part of parts) expect(part.currency).toBe(total.currency);
      }),
    );
  });

  it("each part is within less than one minor unit of its exact proportional share", () => {
    fc.assert(
      fc.property(amount, ratios, (total, rs) => {
        const parts = total.allocate(rs);
        const weights = rs.map((r) => new Decimal(r));
        const sum = weights.reduce((a, b) => a.plus(b), new Decimal(0));
        const totalMinor = new Decimal(total.toMinor().toString());
        parts.forEach((part, i) => {
          const exact = totalMinor.times(weights[i]!).div(sum);
          const diff = new Decimal(part.toMinor().toString()).minus(exact).abs();
          expect(diff.lt(1)).toBe(true);
        });
      }),
    );
  });

  it("parts carry the amount's sign (or are zero), and zero ratios get zero", () => {
    fc.assert(
      fc.property(amount, ratios, (total, rs) => {
        const parts = total.allocate(rs);
        parts.forEach((part, i) => {
          if (total.isNegative()) expect(part.isPositive()).toBe(false);
          else expect(part.isNegative()).toBe(false);
          if (new Decimal(rs[i]!).isZero()) expect(part.isZero()).toBe(true);
        });
      }),
    );
  });

  it("allocateEvenly parts differ by at most one minor unit and sum back", () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 1, max: 50 }), (total, count) => {
        const parts = total.allocateEvenly(count);
        expect(Money.sum(parts, total.currency).equals(total)).toBe(true);
        const minors = parts.map((p) => p.toMinor());
        const max = minors.reduce((a, b) => (a > b ? a : b));
        const min = minors.reduce((a, b) => (a < b ? a : b));
        expect(max - min <= 1n).toBe(true);
      }),
    );
  });
});

describe("arithmetic (property)", () => {
  const sameCurrencyPair = fc
    .tuple(minorAmount, minorAmount, currency)
    .map(([a, b, code]) => [Money.fromMinor(a, code), Money.fromMinor(b, code)] as const);

  it("subtract undoes add and add undoes subtract", () => {
    fc.assert(
      fc.property(sameCurrencyPair, ([a, b]) => {
        expect(a.add(b).subtract(b).equals(a)).toBe(true);
        expect(a.subtract(b).add(b).equals(a)).toBe(true);
        expect(a.add(b).equals(b.add(a))).toBe(true);
        expect(a.subtract(a).isZero()).toBe(true);
      }),
    );
  });

  it("add agrees with integer addition of minor units", () => {
    fc.assert(
      fc.property(minorAmount, minorAmount, currency, (a, b, code) => {
        expect(Money.fromMinor(a, code).add(Money.fromMinor(b, code)).toMinor()).toBe(a + b);
        expect(Money.fromMinor(a, code).compare(Money.fromMinor(b, code))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });

  it("toMinor(fromMinor(n)) = n, and parse(toString()) round-trips", () => {
    fc.assert(
      fc.property(minorAmount, currency, (minor, code) => {
        const money = Money.fromMinor(minor, code);
        expect(money.toMinor()).toBe(minor);
        expect(Money.parse(money.toString(), code).equals(money)).toBe(true);
        expect(Money.fromMinor(money.toMinor(), code).toString()).toBe(money.toString());
      }),
    );
  });

  it("format() without its commas is toString()", () => {
    fc.assert(
      fc.property(amount, (money) => {
        expect(money.format().replaceAll(",", "")).toBe(money.toString());
      }),
    );
  });
});
