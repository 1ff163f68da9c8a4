/**
 * The one place where amounts, dates and text become cell values and back.
 * Excel cells are the only place an amount is rendered as a number: a Money
 * is converted with Number(decimal string), which is exact to the display for
 * every amount with at most 15 significant digits; reading back, a number is
 * turned into its shortest round-trip decimal text and parsed strictly, so a
 * cell holding 0.30000000000000004 is reported as too many decimals rather
 * than silently rounded.
 */
import type { CurrencyCode } from "../../shared/currency.js";
import { parseIsoDate, toDayNumber, fromDayNumber, type IsoDate } from "../../shared/dates.js";
import { DomainError } from "../../shared/errors.js";
import { Money } from "../../shared/money.js";
import type { CellValue } from "./gateway.js";

/** Excel serial date of 1970-01-01 (the 1900 date system). */
const EXCEL_EPOCH_OFFSET = 25569;

export function moneyToCell(amount: Money): number {
  return Number(amount.toString());
}

export function cellToMoney(value: CellValue, currency: CurrencyCode, field: string): Money | null {
  if (value === null || value === "") return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new DomainError("invalid_amount", `${field}: not a finite number`, { field });
    return Money.parse(numberText(value), currency, field);
  }
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed === "") return null;
    return Money.parse(trimmed, currency, field);
  }
  throw new DomainError("invalid_amount", `${field}: expected an amount, found ${String(value)}`, { field });
}

/** Shortest decimal text of a double, without exponent (1e-7 → "0.0000001"). */
export function numberText(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = "", exponentText = "0"] = text.toLowerCase().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "");
  const [whole = "", fraction = ""] = digits.split(".");
  const all = whole + fraction;
  const point = whole.length + exponent;
  const plain =
    point <= 0 ? `0.${"0".repeat(-point)}${all}` : point >= all.length ? all + "0".repeat(point - all.length) : `${all.slice(0, point)}.${all.slice(point)}`;
  return (negative ? "-" : "") + plain;
}

export function dateToCell(date: IsoDate): number {
  return toDayNumber(date) + EXCEL_EPOCH_OFFSET;
}

export function cellToDate(value: CellValue, field: string): IsoDate | null {
  if (value === null || value === "") return null;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new DomainError("invalid_date", `${field}: ${value} is not a whole day`, { field });
    return fromDayNumber(value - EXCEL_EPOCH_OFFSET);
  }
  if (typeof value === "string") return parseIsoDate(value.trim(), field);
  throw new DomainError("invalid_date", `${field}: expected a date, found ${String(value)}`, { field });
}

/**
 * Text from the server written so Excel never evaluates it: a leading
 * apostrophe marks the cell as text (Excel hides the apostrophe), so
 * "=HYPERLINK(…)", "+1", "-1" and "@SUM(…)" arrive as the text they are.
 */
export function textToCell(text: string): string {
  // A leading apostrophe is Excel's own text marker, so text that starts with one is escaped too.
  return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}

/** What the user sees: Excel gives back the text without the apostrophe. */
export function cellToText(value: CellValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value.startsWith("'") && /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
  return String(value);
}

/** Number format of an amount column for a currency: 2 decimals for USD, 0 for JPY, 3 for KWD. */
export function moneyFormat(decimals: number): string {
  const fraction = decimals === 0 ? "" : `.${"0".repeat(decimals)}`;
  return `#,##0${fraction};[Red]-#,##0${fraction}`;
}

export const DATE_FORMAT = "yyyy-mm-dd";
export const TEXT_FORMAT = "@";
export const INTEGER_FORMAT = "0";

/** How editable (input) columns look in every gateway: a light input fill and a blue font. */
export const EDITABLE_FILL = "#FFF9E5";
export const EDITABLE_FONT_COLOR = "#0047AB";

/** Excel's column letters for a 0-based index: 0 → "A", 25 → "Z", 26 → "AA". */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
