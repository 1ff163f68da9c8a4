import { DomainError } from "./errors.js";
import { Decimal, type Money } from "./money.js";

/**
 * Accounts-receivable KPIs over plain inputs: DSO (standard and count-back),
 * best possible DSO, average days delinquent, collection effectiveness index
 * (CEI) and AR turnover.
 *
 * Conventions, the same for every function here:
 * - All amounts of one call are in ONE currency; mixing throws
 *   `currency_mismatch` (totals are per currency: convert first).
 * - Arithmetic is exact decimal (money.ts's Decimal, 40 significant digits),
 *   with each formula arranged to divide once, last, so an exact tie such as
 *   91.25 days is not nudged by an inexact intermediate quotient. The result
 *   is rounded ONCE, at the end, half-up (.5 away from zero):
 *   days to 1 decimal place ("45.0"), ratios and percentages to 2 ("55.93").
 *   Derived figures are computed from the unrounded parts, as a spreadsheet
 *   does: average days delinquent is (DSO − best possible DSO) rounded once,
 *   not the difference of the two rounded figures; turnover days are
 *   days ÷ the exact turnover, not ÷ the rounded turnover.
 * - A zero (or, where it makes no sense, negative) denominator throws
 *   `invalid_argument` naming the field: never Infinity, NaN or null.
 * - Days are whole calendar-day counts supplied by the caller (a 30-day
 *   month, 91-day quarter or 365-day year; `daysInMonth`/`daysBetween` in
 *   dates.ts give real ones). "Today" plays no part.
 */

/** Decimal places of each kind of result (rounding is half-up). */
export const KPI_PRECISION = { days: 1, ratio: 2, percent: 2 } as const;

export interface DsoInput {
  /** Total open AR at the end of the period (may be negative: a net credit balance gives a negative DSO). */
  readonly endingAr: Money;
  /** Credit sales of the period; must be positive. */
  readonly creditSales: Money;
  /** Calendar days in the period (30, 91, 365, …). */
  readonly daysInPeriod: number;
}

/**
 * Standard DSO = (ending AR ÷ credit sales of the period) × days in the period.
 * Example: 15,000 AR on 10,000 of sales in a 30-day month is 45.0 days.
 */
export function dsoStandard(input: DsoInput): string {
  assertOneCurrency([
    ["endingAr", input.endingAr],
    ["creditSales", input.creditSales],
  ]);
  const sales = positive(input.creditSales, "creditSales", "DSO divides by credit sales");
  const days = wholeDays(input.daysInPeriod, "daysInPeriod");
  return roundDays(dec(input.endingAr).times(days).div(sales));
}

export interface BestPossibleDsoInput {
  /** The part of ending AR that is current (not yet past due). */
  readonly currentAr: Money;
  readonly creditSales: Money;
  readonly daysInPeriod: number;
}

/** Best possible DSO = (current, not-past-due AR ÷ credit sales) × days: the DSO if every customer paid on time. */
export function bestPossibleDso(input: BestPossibleDsoInput): string {
  assertOneCurrency([
    ["currentAr", input.currentAr],
    ["creditSales", input.creditSales],
  ]);
  const sales = positive(input.creditSales, "creditSales", "best possible DSO divides by credit sales");
  const days = wholeDays(input.daysInPeriod, "daysInPeriod");
  return roundDays(dec(input.currentAr).times(days).div(sales));
}

export interface AverageDaysDelinquentInput {
  /** Total open AR at period end. */
  readonly endingAr: Money;
  /** Its current (not past-due) part. */
  readonly currentAr: Money;
  readonly creditSales: Money;
  readonly daysInPeriod: number;
}

/**
 * Average days delinquent = standard DSO − best possible DSO, computed from
 * the unrounded figures, i.e. (past-due AR ÷ credit sales) × days, rounded once.
 */
export function averageDaysDelinquent(input: AverageDaysDelinquentInput): string {
  assertOneCurrency([
    ["endingAr", input.endingAr],
    ["currentAr", input.currentAr],
    ["creditSales", input.creditSales],
  ]);
  const sales = positive(input.creditSales, "creditSales", "average days delinquent divides by credit sales");
  const days = wholeDays(input.daysInPeriod, "daysInPeriod");
  // (ending × days ÷ sales) − (current × days ÷ sales), as one division.
  return roundDays(dec(input.endingAr).minus(dec(input.currentAr)).times(days).div(sales));
}

/** One month of history for count-back DSO. */
export interface MonthOfSales {
  /** Credit sales booked in the month; must not be negative. */
  readonly creditSales: Money;
  /** Calendar days in the month (28–31), or 30 for a 30-day-month convention. */
  readonly days: number;
}

export interface DsoCountBackInput {
  /** Total open AR at the end of the latest month; must not be negative. */
  readonly endingAr: Money;
  /** Months, MOST RECENT FIRST (the month that ends on the AR date comes first). */
  readonly months: readonly MonthOfSales[];
}

/**
 * Count-back (exhaustion) DSO: walk back month by month, subtracting each
 * month's credit sales from ending AR and counting that month's days in full,
 * until the remaining AR is less than a month's sales; that month then counts
 * remaining ÷ its sales × its days.
 *
 * Example: AR 212,000; sales 100,000, 80,000, 70,000 in 30-day months (most
 * recent first) → 30 + 30 + 32,000/70,000 × 30 = 73.7 days.
 *
 * A month with zero sales is passed through in full (the AR is older than
 * it), where Oracle HFM's routine stops instead; negative monthly sales are
 * rejected. If the months given do not exhaust the AR, this throws rather
 * than understate DSO: pass more history.
 */
export function dsoCountBack(input: DsoCountBackInput): string {
  assertOneCurrency([
    ["endingAr", input.endingAr],
    ...input.months.map((m, i): [string, Money] => [`months[${i}].creditSales`, m.creditSales]),
  ]);
  let remaining = dec(input.endingAr);
  if (remaining.isNegative() && !remaining.isZero()) {
    throw new DomainError(
      "invalid_argument",
      `endingAr ${input.endingAr.toString()} is negative: count-back DSO needs AR ≥ 0`,
      {
        field: "endingAr",
      },
    );
  }
  let total = new Decimal(0);
  for (const [index, month] of input.months.entries()) {
    const field = `months[${index}]`;
    const days = wholeDays(month.days, `${field}.days`);
    const sales = dec(month.creditSales);
    if (sales.isNegative() && !sales.isZero()) {
      throw new DomainError(
        "invalid_argument",
        `${field}.creditSales ${month.creditSales.toString()} is negative: count-back DSO needs each month's credit sales ≥ 0`,
        { field: `${field}.creditSales` },
      );
    }
    if (remaining.isZero()) return roundDays(total);
    if (remaining.gt(sales)) {
      total = total.plus(days);
      remaining = remaining.minus(sales);
    } else {
      return roundDays(total.plus(remaining.times(days).div(sales)));
    }
  }
  if (remaining.isZero()) return roundDays(total);
  throw new DomainError(
    "invalid_argument",
    `ending AR exceeds the credit sales of the ${input.months.length} month(s) given by ${remaining.toFixed()}: pass more months of history for count-back DSO`,
    { field: "months" },
  );
}

/**
 * How CEI treats the credit sales of a multi-month period:
 * - `monthlyAverage` (default): credit sales ÷ N months, the Credit Research
 *   Foundation formula as published by CreditGuru ("Monthly Credit Sales =
 *   Credit Sales/N, where N = Number of Months") and in Oracle Advanced
 *   Collections ("[Beginning Receivables + (Credit Sales / N) − Ending Total
 *   Receivables] / [… − Ending Current Receivables] × 100").
 * - `periodTotal`: the period's total credit sales undivided, as many
 *   vendor articles (e.g. Gaviti's annual example) compute it.
 * With N = 1 the two agree.
 */
export type CeiSalesBasis = "monthlyAverage" | "periodTotal";

export interface CollectionEffectivenessInput {
  /** Total AR at the start of the period. */
  readonly beginningAr: Money;
  /** Credit sales of the whole period. */
  readonly creditSales: Money;
  /** Total AR at the end of the period. */
  readonly endingTotalAr: Money;
  /** The current (not past-due) part of ending AR. */
  readonly endingCurrentAr: Money;
  /** N: the number of months the period spans (1 for a month, 3 for a quarter, 12 for a year). */
  readonly months: number;
  readonly salesBasis?: CeiSalesBasis;
}

/**
 * CEI = (beginning AR + S − ending total AR) ÷ (beginning AR + S − ending
 * current AR) × 100, as a percentage with 2 decimals, where S is credit sales
 * ÷ months (`monthlyAverage`, the default) or the period's total
 * (`periodTotal`). Throws if the denominator is zero or negative.
 */
export function collectionEffectivenessIndex(input: CollectionEffectivenessInput): string {
  assertOneCurrency([
    ["beginningAr", input.beginningAr],
    ["creditSales", input.creditSales],
    ["endingTotalAr", input.endingTotalAr],
    ["endingCurrentAr", input.endingCurrentAr],
  ]);
  const months = wholeDays(input.months, "months");
  const basis = input.salesBasis ?? "monthlyAverage";
  // For the monthly average, numerator and denominator are both multiplied
  // by N (N·beginning + sales − N·ending …) so no inexact sales ÷ N is made.
  const scale = basis === "monthlyAverage" ? months : 1;
  const available = dec(input.beginningAr).times(scale).plus(dec(input.creditSales));
  const collected = available.minus(dec(input.endingTotalAr).times(scale));
  const collectible = available.minus(dec(input.endingCurrentAr).times(scale));
  if (collectible.isZero() || collectible.isNegative()) {
    throw new DomainError(
      "invalid_argument",
      `CEI is undefined: beginningAr + credit sales − endingCurrentAr is ${collectible.toFixed()} (it must be positive)`,
      { field: "endingCurrentAr" },
    );
  }
  return round(collected.times(100).div(collectible), KPI_PRECISION.percent);
}

export interface ArTurnoverInput {
  /** Credit sales net of returns and allowances for the period; must be positive. */
  readonly netCreditSales: Money;
  readonly beginningAr: Money;
  readonly endingAr: Money;
  readonly daysInPeriod: number;
}

/**
 * AR turnover = net credit sales ÷ average AR, average AR = (beginning +
 * ending) ÷ 2; turnover days = days in period ÷ turnover (computed from the
 * exact turnover). Turnover has 2 decimals, days 1.
 */
export function arTurnover(input: ArTurnoverInput): { turnover: string; days: string } {
  assertOneCurrency([
    ["netCreditSales", input.netCreditSales],
    ["beginningAr", input.beginningAr],
    ["endingAr", input.endingAr],
  ]);
  const sales = positive(input.netCreditSales, "netCreditSales", "turnover days divide by the turnover");
  const days = wholeDays(input.daysInPeriod, "daysInPeriod");
  const twiceAverageAr = dec(input.beginningAr).plus(dec(input.endingAr));
  if (twiceAverageAr.isZero() || twiceAverageAr.isNegative()) {
    throw new DomainError(
      "invalid_argument",
      `AR turnover is undefined: average AR (beginningAr + endingAr) / 2 is ${twiceAverageAr.div(2).toFixed()} (it must be positive)`,
      { field: "endingAr" },
    );
  }
  // One division each, so exact ties (91.25 days) stay exact before rounding:
  // turnover = 2·sales ÷ (beginning + ending); days = days·(beginning + ending) ÷ 2·sales.
  return {
    turnover: round(sales.times(2).div(twiceAverageAr), KPI_PRECISION.ratio),
    days: roundDays(twiceAverageAr.times(days).div(sales.times(2))),
  };
}

// ——— helpers ———

function dec(amount: Money): Decimal {
  // Money's canonical text is exact, so this is an exact conversion.
  return new Decimal(amount.toString());
}

function round(value: Decimal, places: number): string {
  // plus(0) turns a rounded −0 into 0, so "-0.0" is never shown.
  return value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP).plus(0).toFixed(places);
}

function roundDays(value: Decimal): string {
  return round(value, KPI_PRECISION.days);
}

function positive(amount: Money, field: string, why: string): Decimal {
  const value = dec(amount);
  if (value.isZero() || value.isNegative()) {
    throw new DomainError(
      "invalid_argument",
      `${field} is ${amount.toString()} ${amount.currency}: it must be positive (${why})`,
      { field },
    );
  }
  return value;
}

function wholeDays(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DomainError("invalid_argument", `${field} must be a whole number ≥ 1, got ${value}`, { field });
  }
  return value;
}

function assertOneCurrency(amounts: readonly (readonly [string, Money])[]): void {
  const first = amounts[0];
  if (first === undefined) return;
  for (const [field, amount] of amounts) {
    if (amount.currency !== first[1].currency) {
      throw new DomainError(
        "currency_mismatch",
        `${field} is in ${amount.currency} but ${first[0]} is in ${first[1].currency}: KPIs are computed per currency`,
        { field },
      );
    }
  }
}
