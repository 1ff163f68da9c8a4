/**
 * Whole minor units (bigint) written as a plain decimal string: 12345n with
 * 2 digits is "123.45", -5n is "-0.05", 500n with 0 digits is "500". Pure
 * integer text work: `Money#toString` is this, and the streaming pull writes
 * its two amounts per item with it without building a `Money` for them
 * (shared/money.ts stays the one place amounts are computed with).
 */

/** `minor` minor units as a plain decimal string with exactly `digits` decimals (0–4, ISO 4217). */
export function formatMinorUnits(minor: bigint, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 4) {
    throw new RangeError(`a currency has 0 to 4 minor-unit digits, not ${digits}`);
  }
  if (digits === 0) return minor.toString();
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const cut = text.length - digits;
  return `${negative ? "-" : ""}${text.slice(0, cut)}.${text.slice(cut)}`;
}
