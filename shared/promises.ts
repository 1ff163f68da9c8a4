import { addDays, parseIsoDate, type IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import type { Money } from "./money.js";

/**
 * Whether a customer's promise to pay was kept. DESIGN.md: a promise records
 * an amount and a date; kept or broken is derived, never stored, so it is
 * always judged against what the ledger says was actually settled.
 *
 * - `kept`: what was settled since the promise was made covers the promised
 *   amount (paying early counts; so does paying on the promised date itself);
 * - `broken`: not kept, and the promised date plus the grace days is over
 *   (today is later than it);
 * - `pending`: not kept yet, and there is still time (a partial payment
 *   before the date is pending, not broken).
 */
export type PromiseStatus = "kept" | "broken" | "pending";

export const PROMISE_STATUSES: readonly PromiseStatus[] = ["kept", "broken", "pending"];

export interface PromiseStatusInput {
  /** What the customer promised to pay; more than zero. */
  readonly promisedAmount: Money;
  readonly promisedDate: IsoDate;
  /** The day the promise was recorded: where the caller starts counting `paidSince`. */
  readonly madeOn: IsoDate;
  /**
   * Net amount settled on the promise's target (its document, or all the
   * customer's documents for a general promise) dated from `madeOn` through
   * `promisedDate` + `graceDays`, and no later than `today`: payments,
   * discounts and write-offs applied, less reversals of them. In the
   * promise's currency; not negative (a reversal in the window of a payment
   * made before it means nothing was paid toward the promise: pass zero).
   */
  readonly paidSince: Money;
  readonly today: IsoDate;
  /** Days after the promised date a payment still counts as on time (a check in the mail); default 0. */
  readonly graceDays?: number;
}

/** Kept, broken or pending as of `today`; throws DomainError on malformed input. */
export function promiseStatus(input: PromiseStatusInput): PromiseStatus {
  const promisedDate = parseIsoDate(input.promisedDate, "promisedDate");
  parseIsoDate(input.madeOn, "madeOn");
  const today = parseIsoDate(input.today, "today");
  const graceDays = input.graceDays ?? 0;
  if (!Number.isSafeInteger(graceDays) || graceDays < 0) {
    throw new DomainError(
      "invalid_argument",
      `graceDays must be a whole number of days, 0 or more, got ${String(graceDays)}`,
      {
        field: "graceDays",
      },
    );
  }
  const { promisedAmount, paidSince } = input;
  if (!promisedAmount.isPositive()) {
    throw new DomainError(
      "invalid_amount",
      `promisedAmount must be more than zero, got ${promisedAmount.toString()} ${promisedAmount.currency}`,
      { field: "promisedAmount" },
    );
  }
  if (paidSince.currency !== promisedAmount.currency) {
    throw new DomainError(
      "currency_mismatch",
      `paidSince is in ${paidSince.currency} but the promise is in ${promisedAmount.currency}: convert before judging the promise`,
      { field: "paidSince" },
    );
  }
  if (paidSince.isNegative()) {
    throw new DomainError(
      "invalid_amount",
      `paidSince must not be negative, got ${paidSince.toString()} ${paidSince.currency}`,
      { field: "paidSince" },
    );
  }
  if (paidSince.gte(promisedAmount)) return "kept";
  // Broken only once the whole last day of grace has passed: on that day the payment may still arrive.
  return today > addDays(promisedDate, graceDays) ? "broken" : "pending";
}
