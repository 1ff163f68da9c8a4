import { DomainError } from "./errors.js";

/**
 * A calendar date as `YYYY-MM-DD` text. Domain code never uses `Date`: a
 * calendar date has no time zone, and "today" is always passed in by the
 * caller (see `Clock`). Arithmetic goes through a day number (days since
 * 1970-01-01 in the proleptic Gregorian calendar), computed with integer
 * arithmetic only (H. Hinnant, "chrono-compatible low-level date algorithms").
 */
export type IsoDate = string & { readonly __brand: "IsoDate" };

/** Where "today" comes from: the server's clock, a workbook setting, a test. */
export interface Clock {
  today(): IsoDate;
  /** An instant for audit records, ISO 8601 UTC (`2026-11-23T08:00:00.000Z`). */
  now(): string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1] ?? 0;
}

/** Parses `YYYY-MM-DD` strictly: real calendar dates only (rejects 2026-02-30, 2026-13-01, 2026-1-5). */
export function parseIsoDate(value: unknown, field = "date"): IsoDate {
  if (typeof value !== "string") {
    throw new DomainError("invalid_date", `${field} must be a date written YYYY-MM-DD`, { field });
  }
  const match = ISO_DATE.exec(value);
  if (match === null) {
    throw new DomainError("invalid_date", `${field}: "${value}" is not a date written YYYY-MM-DD`, { field });
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1900 || year > 9999) {
    throw new DomainError("invalid_date", `${field}: "${value}" has a year outside 1900–9999`, { field });
  }
  if (month < 1 || month > 12) {
    throw new DomainError("invalid_date", `${field}: "${value}" has no month ${month}`, { field });
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new DomainError("invalid_date", `${field}: "${value}" does not exist (month ${month} of ${year} has ${daysInMonth(year, month)} days)`, {
      field,
    });
  }
  return value as IsoDate;
}

export function isIsoDate(value: unknown): value is IsoDate {
  try {
    parseIsoDate(value);
    return true;
  } catch {
    return false;
  }
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

function split(date: IsoDate): Ymd {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function format({ year, month, day }: Ymd): IsoDate {
  const text = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return parseIsoDate(text);
}

/** Days since 1970-01-01 (negative before it). */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = split(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(dayNumber: number): IsoDate {
  if (!Number.isInteger(dayNumber)) {
    throw new DomainError("invalid_argument", `day number ${dayNumber} is not a whole number`);
  }
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return format({ year, month, day });
}

function wholeNumber(value: number, field: string): number {
  if (!Number.isInteger(value)) {
    throw new DomainError("invalid_argument", `${field} must be a whole number, got ${value}`, { field });
  }
  return value;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(parseIsoDate(date)) + wholeNumber(days, "days"));
}

/**
 * Adds calendar months; a day that does not exist in the target month is
 * clamped to its last day (2026-01-31 + 1 month = 2026-02-28).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = split(parseIsoDate(date));
  const index = year * 12 + (month - 1) + wholeNumber(months, "months");
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return format({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** `to − from` in days: daysBetween("2026-01-01", "2026-01-31") is 30. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(parseIsoDate(to, "to")) - toDayNumber(parseIsoDate(from, "from"));
}

export function endOfMonth(date: IsoDate): IsoDate {
  const { year, month } = split(parseIsoDate(date));
  return format({ year, month, day: daysInMonth(year, month) });
}

export function startOfMonth(date: IsoDate): IsoDate {
  const { year, month } = split(parseIsoDate(date));
  return format({ year, month, day: 1 });
}

export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** A clock that always answers the same day, for tests and as-of tools. */
export function fixedClock(today: IsoDate, instant = `${today}T00:00:00.000Z`): Clock {
  return { today: () => today, now: () => instant };
}
