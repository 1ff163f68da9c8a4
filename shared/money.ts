import { Decimal } from "decimal.js";
import { formatMinorUnits } from "./minor-units.js";
import { knownCurrencies, minorUnits, parseCurrency, type CurrencyCode } from "./currency.js";
import { DomainError } from "./errors.js";

/**
 * Our own Decimal constructor, so no other code's global Decimal settings can
 * change how money rounds. 40 significant digits is far beyond DECIMAL(19,4).
 */
const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
type Dec = Decimal;

/**
 * How a computed amount is brought back to the currency's minor unit.
 * - `halfUp` (the default): .5 of a minor unit rounds away from zero, as
 *   invoices, discounts and interest are conventionally rounded.
 * - `halfEven`: banker's rounding, for statistics over many amounts.
 * - `down`: toward zero, for "at most" limits.
 */
export type RoundingRule = "halfUp" | "halfEven" | "down";

const ROUNDING: Record<RoundingRule, Decimal.Rounding> = {
  halfUp: Decimal.ROUND_HALF_UP,
  halfEven: Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
};

const PLAIN_DECIMAL = /^-?(\d+)(?:\.(\d+))?$/;

/** Separators for locale-aware parsing: "1.234,50" is { group: ".", decimal: "," }. */
export interface NumberLocale {
  readonly group: "," | "." | " " | "\u00a0" | "'";
  readonly decimal: "." | ",";
}

export const EN_US: NumberLocale = { group: ",", decimal: "." };

function ratioDecimal(value: string | bigint | Dec, field: string): Dec {
  const text = typeof value === "bigint" ? value.toString() : value;
  if (typeof text === "string" && !PLAIN_DECIMAL.test(text)) {
    throw new DomainError("invalid_argument", `${field} "${text}" is not a plain decimal number`, { field });
  }
  return new Dec(text);
}

/**
 * An exact amount of one currency, always held at that currency's minor unit
 * (USD cents, JPY yen, KWD fils). Immutable; every operation returns a new
 * Money. Operations on two amounts of different currencies throw
 * `currency_mismatch`: nothing here converts currencies implicitly.
 *
 * Held as a bigint count of minor units: every Money is a whole number of
 * them (parsing refuses finer amounts, rounding brings results back to them),
 * so adding, comparing and converting are integer operations; decimal.js is
 * used only where a ratio or percentage makes a fraction to be rounded.
 */
export class Money {
  readonly currency: CurrencyCode;
  readonly #minor: bigint;

  private constructor(currency: CurrencyCode, minor: bigint) {
    this.currency = currency;
    this.#minor = minor;
  }

  /**
   * Parses a plain decimal string ("1234.50", "-3", "0.1"). Rejects exponents,
   * NaN/Infinity, empty text, spaces, a leading "+", thousands separators and
   * more decimals than the currency has (trailing zeros beyond them are
   * accepted: "12.3400" is 12.34 USD, as DECIMAL(19,4) columns print it).
   */
  static parse(text: unknown, currency: CurrencyCode | string, field = "amount"): Money {
    const code = parseCurrency(currency);
    if (typeof text !== "string") {
      throw new DomainError("invalid_amount", `${field} must be a decimal string such as "1234.50"`, { field });
    }
    const match = PLAIN_DECIMAL.exec(text);
    if (match === null) {
      const shown = text === "" ? "empty text" : `"${text}"`;
      throw new DomainError(
        "invalid_amount",
        `${field}: ${shown} is not a plain decimal amount (digits, an optional "-" and "." — no exponent, spaces or separators)`,
        { field },
      );
    }
    const fraction = match[2] ?? "";
    const digits = minorUnits(code);
    if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) {
      throw new DomainError(
        "invalid_amount",
        `${field}: "${text}" has more than ${digits} decimal place${digits === 1 ? "" : "s"}, the most ${code} allows`,
        { field },
      );
    }
    // Whole digits then exactly `digits` fraction digits (the dropped ones are zeros): the minor units.
    const magnitude = BigInt(`${match[1] ?? "0"}${fraction.slice(0, digits).padEnd(digits, "0")}`);
    if (magnitude >= (MAX_ABS_MINOR[digits] ?? 10n ** BigInt(15 + digits))) {
      throw new DomainError("invalid_amount", `${field}: "${text}" is too large (at most 15 integer digits)`, { field });
    }
    return new Money(code, text.startsWith("-") ? -magnitude : magnitude);
  }

  /**
   * Parses text written with a locale's separators: "1,234.50" (EN_US) or
   * "1.234,50" ({ group: ".", decimal: "," }). Group separators must sit
   * between groups of three digits.
   */
  static parseLocalized(text: unknown, currency: CurrencyCode | string, locale: NumberLocale, field = "amount"): Money {
    if (typeof text !== "string") {
      throw new DomainError("invalid_amount", `${field} must be text`, { field });
    }
    const g = escapeRegExp(locale.group);
    const d = escapeRegExp(locale.decimal);
    const pattern = new RegExp(`^(-?)(\\d{1,3}(?:${g}\\d{3})*|\\d+)(?:${d}(\\d+))?$`);
    const match = pattern.exec(text.trim());
    if (match === null) {
      throw new DomainError(
        "invalid_amount",
        `${field}: "${text}" is not an amount written as ${locale.group === "," ? "1,234.50" : `1${locale.group}234${locale.decimal}50`}`,
        { field },
      );
    }
    const [, sign = "", whole = "", fraction] = match;
    const plain = `${sign}${whole.split(locale.group).join("")}${fraction === undefined ? "" : `.${fraction}`}`;
    return Money.parse(plain, currency, field);
  }

  /** One zero per known currency, made once: Money is immutable, and zeros are made for every journal and allocation. */
  static readonly #zeros: ReadonlyMap<string, Money> = new Map(knownCurrencies().map((code) => [code, new Money(code, 0n)]));

  static zero(currency: CurrencyCode | string): Money {
    return Money.#zeros.get(currency) ?? new Money(parseCurrency(currency), 0n);
  }

  /** From an integer count of minor units (cents): 12345n USD is 123.45. */
  static fromMinor(minor: bigint | string, currency: CurrencyCode | string, field = "amount"): Money {
    const code = parseCurrency(currency);
    if (typeof minor === "bigint") return new Money(code, minor);
    if (!/^-?\d+$/.test(minor)) {
      throw new DomainError("invalid_amount", `${field}: "${minor}" is not a whole number of minor units`, { field });
    }
    return new Money(code, BigInt(minor));
  }

  static sum(amounts: readonly Money[], currency: CurrencyCode | string): Money {
    let total = Money.zero(currency);
    for (const amount of amounts) total = total.add(amount);
    return total;
  }

  get minorUnits(): number {
    return minorUnits(this.currency);
  }

  /** Integer minor units, exact: 123.45 USD is 12345n. */
  toMinor(): bigint {
    return this.#minor;
  }

  /** Canonical JSON/SQL text with exactly the currency's decimals: "1234.50", "-3.000", "500". */
  toString(): string {
    return formatMinorUnits(this.#minor, this.minorUnits);
  }

  toJSON(): string {
    return this.toString();
  }

  /** Human text with grouping, for messages and reasons: "1,250.00". */
  format(): string {
    const [whole = "", fraction] = this.abs().toString().split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${this.isNegative() ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.currency, this.#minor + other.#minor);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.currency, this.#minor - other.#minor);
  }

  negate(): Money {
    return this.isZero() ? this : new Money(this.currency, -this.#minor);
  }

  abs(): Money {
    return new Money(this.currency, this.#minor < 0n ? -this.#minor : this.#minor);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.#minor < other.#minor ? -1 : this.#minor > other.#minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.#minor === other.#minor;
  }
  gt(other: Money): boolean {
    return this.compare(other) > 0;
  }
  gte(other: Money): boolean {
    return this.compare(other) >= 0;
  }
  lt(other: Money): boolean {
    return this.compare(other) < 0;
  }
  lte(other: Money): boolean {
    return this.compare(other) <= 0;
  }
  min(other: Money): Money {
    return this.lte(other) ? this : other;
  }
  max(other: Money): Money {
    return this.gte(other) ? this : other;
  }
  isZero(): boolean {
    return this.#minor === 0n;
  }
  isNegative(): boolean {
    return this.#minor < 0n;
  }
  isPositive(): boolean {
    return this.#minor > 0n;
  }

  /**
   * `percent` per cent of this amount, rounded to the minor unit by `rounding`
   * (half-up by default: 2% of 10.25 is 0.205 → 0.21). `percent` is a decimal
   * string ("2", "1.5").
   */
  percentage(percent: string | Dec, rounding: RoundingRule = "halfUp"): Money {
    const p = ratioDecimal(percent, "percent");
    return this.roundedFrom(this.decimal().times(p).div(100), rounding);
  }

  /** This amount times a decimal factor, rounded to the minor unit. */
  multiply(factor: string | Dec, rounding: RoundingRule = "halfUp"): Money {
    return this.roundedFrom(this.decimal().times(ratioDecimal(factor, "factor")), rounding);
  }
  /**
   * Splits this amount into parts proportional to `ratios` without losing or
   * inventing a minor unit (largest-remainder method): each part is first
   * rounded toward zero, then the leftover minor units go one each to the
   * parts with the largest remainders, earlier parts first on ties.
   * 100.00 by [1, 1, 1] is 33.34, 33.33, 33.33.
   */
  allocate(ratios: readonly (string | bigint)[]): Money[] {
    if (ratios.length === 0) {
      throw new DomainError("invalid_argument", "allocate needs at least one ratio", { field: "ratios" });
    }
    const weights = ratios.map((r, i) => ratioDecimal(r, `ratios[${i}]`));
    if (weights.some((w) => w.isNegative() && !w.isZero())) {
      throw new DomainError("invalid_argument", "allocation ratios must not be negative", { field: "ratios" });
    }
    const totalWeight = weights.reduce((a, b) => a.plus(b), new Dec(0));
    if (totalWeight.isZero()) {
      throw new DomainError("invalid_argument", "allocation ratios must not all be zero", { field: "ratios" });
    }
    const totalMinor = this.toMinor();
    const sign = totalMinor < 0n ? -1n : 1n;
    const magnitude = totalMinor * sign;
    const exact = weights.map((w) => new Dec(magnitude.toString()).times(w).div(totalWeight));
    const floors = exact.map((e) => BigInt(e.floor().toFixed(0)));
    let leftover = magnitude - floors.reduce((a, b) => a + b, 0n);
    const order = exact
      .map((e, index) => ({ index, remainder: e.minus(e.floor()) }))
      .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.index - b.index);
    const parts = [...floors];
    for (const { index } of order) {
      if (leftover === 0n) break;
      parts[index] = (parts[index] ?? 0n) + 1n;
      leftover -= 1n;
    }
    return parts.map((p) => Money.fromMinor(p * sign, this.currency));
  }

  /** Splits into `count` parts that differ by at most one minor unit, larger parts first. */
  allocateEvenly(count: number): Money[] {
    if (!Number.isInteger(count) || count < 1) {
      throw new DomainError("invalid_argument", `cannot split into ${count} parts: need a whole number ≥ 1`, {
        field: "count",
      });
    }
    return this.allocate(Array.from({ length: count }, () => "1"));
  }

  /** The amount as a decimal in currency units (123.45), for arithmetic that leaves the minor unit. */
  private decimal(): Dec {
    return new Dec(this.#minor.toString()).div(scaleOf(this.minorUnits));
  }

  private roundedFrom(value: Dec, rounding: RoundingRule): Money {
    const units = this.minorUnits;
    const rounded = value.toDecimalPlaces(units, ROUNDING[rounding]);
    return new Money(this.currency, BigInt(rounded.times(scaleOf(units)).toFixed(0)));
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new DomainError(
        "currency_mismatch",
        `cannot combine ${this.currency} and ${other.currency} amounts without an explicit conversion`,
      );
    }
  }
}

/** 10^15 currency units (the largest amount is 15 integer digits) in minor units, per minor-unit count 0–4. */
const MAX_ABS_MINOR: readonly bigint[] = [0, 1, 2, 3, 4].map((digits) => 10n ** BigInt(15 + digits));

/** 10^digits for the minor-unit counts ISO 4217 uses (0–4), made once: reading amounts is a hot path. */
const SCALES: readonly Dec[] = [0, 1, 2, 3, 4].map((digits) => new Dec(10).pow(digits));
function scaleOf(digits: number): Dec {
  return SCALES[digits] ?? new Dec(10).pow(digits);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A decimal string parsed for non-money quantities (percentages, ratios, rates). */
export function parseDecimal(text: unknown, field: string): Dec {
  if (typeof text !== "string" || !PLAIN_DECIMAL.test(text)) {
    throw new DomainError("invalid_argument", `${field} must be a plain decimal string such as "2.5"`, { field });
  }
  return new Dec(text);
}

export { Dec as Decimal };
