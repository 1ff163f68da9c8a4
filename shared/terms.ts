import { addDays, endOfMonth, parseIsoDate, type IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import { Decimal, Money } from "./money.js";

/**
 * Payment terms: when a document is due and whether paying early earns a
 * discount. Parsed from the short forms AR teams write on invoices
 * ("NET 30", "2/10 NET 30", "NET 10 EOM", "DUE ON RECEIPT").
 */
export interface PaymentTerms {
  /**
   * Canonical text: "NET 30", "2/10 NET 30", "NET 10 EOM", "2/10 NET 30 EOM",
   * "EOM", "DUE ON RECEIPT". One code per meaning, so two terms are the same
   * exactly when their codes are equal, and `parseTerms(t.code)` gives `t` back.
   */
  readonly code: string;
  /** Days from the base date (document date, or the end of its month when `endOfMonth`) to the due date. */
  readonly netDays: number;
  /** Count from the last day of the document's month instead of the document date. */
  readonly endOfMonth: boolean;
  /** Early-payment discount: `percent` (decimal string) if paid within `days` of the same base date. */
  readonly discount: { readonly percent: string; readonly days: number } | null;
}

/** Far beyond any real terms; keeps every due date inside the calendar dates.ts accepts. */
export const MAX_TERM_DAYS = 3650;

/**
 * When discount terms state no net period ("2/10", "2/10 EOM"), the business
 * math convention is that the net amount is due 20 days after the discount
 * period ends: "2/10 EOM" is 2/10 NET 30 EOM.
 */
const IMPLIED_NET_AFTER_DISCOUNT = 20;

const DUE_ON_RECEIPT = new Set(["DUE ON RECEIPT", "DUE UPON RECEIPT", "COD", "C.O.D."]);

/**
 * Optional "p/d" discount (with an optional comma after it), optional net
 * ("NET 30", "NET30", "N30", "N/30"), optional "EOM". Numbers are captured
 * loosely ("-5", "2.5", "1e3") so the checks below can say what is wrong with
 * them instead of "unknown terms".
 */
const TERMS_PATTERN =
  /^(?:([-+]?\d[^\s/%]*)%?\s*\/\s*([-+]?\d[^\s,]*?)\s*,?\s*(?=N|EOM|$))?(?:(?:NET|N)\s*\/?\s*([-+]?\d\S*?)\s*(?=EOM|$))?(EOM)?$/;

/**
 * Parses payment terms text, case-insensitive and tolerant of spacing:
 * "NET 30", "N30", "2/10 NET 30", "2/10, N/30", "1.5/15 NET 45", "EOM",
 * "NET 10 EOM", "2/10 EOM", "2/10 NET 30 EOM", "DUE ON RECEIPT", "COD".
 * "COD", "DUE UPON RECEIPT" and "NET 0" mean net 0 and get the code "DUE ON RECEIPT".
 * Throws `invalid_terms` naming the field and what is wrong.
 */
export function parseTerms(text: unknown, field = "terms"): PaymentTerms {
  if (typeof text !== "string") {
    throw new DomainError("invalid_terms", `${field} must be text such as "NET 30" or "2/10 NET 30"`, { field });
  }
  const normalized = text.trim().replace(/\s+/g, " ").toUpperCase();
  if (normalized === "") {
    throw new DomainError("invalid_terms", `${field} is empty; write terms such as "NET 30"`, { field });
  }
  if (DUE_ON_RECEIPT.has(normalized)) {
    return makeTerms({ netDays: 0, endOfMonth: false, discount: null });
  }
  const match = TERMS_PATTERN.exec(normalized);
  const [, percentText, discountDaysText, netText, eomText] = match ?? [];
  if (match === null || (percentText === undefined && netText === undefined && eomText === undefined)) {
    throw new DomainError(
      "invalid_terms",
      `${field}: "${text}" is not payment terms this ledger knows (e.g. "NET 30", "2/10 NET 30", "NET 10 EOM", "EOM", "DUE ON RECEIPT")`,
      { field },
    );
  }
  const endOfMonthBase = eomText !== undefined;
  let discount: PaymentTerms["discount"] = null;
  if (percentText !== undefined && discountDaysText !== undefined) {
    discount = {
      percent: parsePercent(percentText, text, field),
      days: parseDays(discountDaysText, { what: "discount days", text, field }),
    };
  }
  let netDays: number;
  if (netText !== undefined) {
    netDays = parseDays(netText, { what: "net days", text, field });
  } else if (discount !== null) {
    netDays = discount.days + IMPLIED_NET_AFTER_DISCOUNT;
  } else {
    netDays = 0; // bare "EOM": due on the last day of the document's month
  }
  if (netDays > MAX_TERM_DAYS) {
    throw new DomainError(
      "invalid_terms",
      `${field}: "${text}" gives ${netDays} net days; at most ${MAX_TERM_DAYS} are allowed`,
      { field },
    );
  }
  if (discount !== null && discount.days > netDays) {
    throw new DomainError(
      "invalid_terms",
      `${field}: "${text}" has ${discount.days} discount days, more than its ${netDays} net days`,
      { field },
    );
  }
  return makeTerms({ netDays, endOfMonth: endOfMonthBase, discount });
}

function parsePercent(raw: string, text: string, field: string): string {
  if (!/^\d+(?:\.\d+)?$/.test(raw)) {
    throw new DomainError(
      "invalid_terms",
      `${field}: discount percent "${raw}" in "${text}" is not a plain positive decimal number such as "2" or "1.5"`,
      { field },
    );
  }
  const percent = new Decimal(raw);
  if (percent.lte(0) || percent.gte(100)) {
    throw new DomainError(
      "invalid_terms",
      `${field}: discount percent ${raw} in "${text}" must be more than 0 and less than 100`,
      { field },
    );
  }
  return percent.toString(); // canonical: "2.50" and "02.5" are "2.5"
}

function parseDays(raw: string, { what, text, field }: { what: string; text: string; field: string }): number {
  if (!/^\d+$/.test(raw)) {
    throw new DomainError(
      "invalid_terms",
      `${field}: ${what} "${raw}" in "${text}" must be a whole number of days, 0 or more`,
      { field },
    );
  }
  const days = Number(raw);
  if (days > MAX_TERM_DAYS) {
    throw new DomainError("invalid_terms", `${field}: ${what} ${raw} in "${text}" is more than ${MAX_TERM_DAYS}`, {
      field,
    });
  }
  return days;
}

function makeTerms(parts: Omit<PaymentTerms, "code">): PaymentTerms {
  return { code: termsCode(parts), ...parts };
}

/** The canonical code of terms; `parseTerms` reads every code it writes. */
export function termsCode({ netDays, endOfMonth: eom, discount }: Omit<PaymentTerms, "code">): string {
  if (discount === null) {
    if (netDays === 0) return eom ? "EOM" : "DUE ON RECEIPT";
    return `NET ${netDays}${eom ? " EOM" : ""}`;
  }
  // Net days are always written out when there is a discount, so the implied-net rule never changes a code's meaning.
  return `${discount.percent}/${discount.days} NET ${netDays}${eom ? " EOM" : ""}`;
}

/**
 * Checks terms built elsewhere (read from a store, sent as JSON) before they
 * decide a date or an amount. Throws `invalid_terms`.
 */
export function assertPaymentTerms(terms: unknown, field = "terms"): asserts terms is PaymentTerms {
  const fail = (what: string): never => {
    throw new DomainError("invalid_terms", `${field}: ${what}`, { field });
  };
  if (typeof terms !== "object" || terms === null) fail("must be payment terms (code, netDays, endOfMonth, discount)");
  const t = terms as Record<string, unknown>;
  const isDays = (v: unknown): v is number =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TERM_DAYS;
  if (!isDays(t.netDays)) fail(`netDays must be a whole number from 0 to ${MAX_TERM_DAYS}`);
  if (typeof t.endOfMonth !== "boolean") fail("endOfMonth must be true or false");
  if (typeof t.code !== "string") fail("code must be text");
  const discount = t.discount;
  if (discount !== null) {
    if (typeof discount !== "object") fail("discount must be { percent, days } or null");
    const { percent, days } = discount as Record<string, unknown>;
    if (typeof percent !== "string" || !/^\d+(?:\.\d+)?$/.test(percent)) {
      fail('discount.percent must be a decimal string such as "2"');
    }
    const p = new Decimal(percent as string);
    if (p.lte(0) || p.gte(100)) fail("discount.percent must be more than 0 and less than 100");
    if (!isDays(days)) fail(`discount.days must be a whole number from 0 to ${MAX_TERM_DAYS}`);
    if ((days as number) > (t.netDays as number)) fail("discount.days must not be more than netDays");
  }
}

function baseDate(terms: PaymentTerms, documentDate: IsoDate): IsoDate {
  const date = parseIsoDate(documentDate, "documentDate");
  return terms.endOfMonth ? endOfMonth(date) : date;
}

/** The date the document is due: base date (document date, or end of its month for EOM terms) + net days. */
export function dueDate(terms: PaymentTerms, documentDate: IsoDate): IsoDate {
  assertPaymentTerms(terms);
  return addDays(baseDate(terms, documentDate), terms.netDays);
}

/** The last day a payment earns the discount (before any grace days), or null for terms without one. */
export function discountDeadline(terms: PaymentTerms, documentDate: IsoDate): IsoDate | null {
  assertPaymentTerms(terms);
  if (terms.discount === null) return null;
  return addDays(baseDate(terms, documentDate), terms.discount.days);
}

function graceDaysOf(graceDays: number | undefined): number {
  if (graceDays === undefined) return 0;
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > MAX_TERM_DAYS) {
    throw new DomainError(
      "invalid_argument",
      `graceDays must be a whole number from 0 to ${MAX_TERM_DAYS}, got ${String(graceDays)}`,
      { field: "graceDays" },
    );
  }
  return graceDays;
}

/**
 * Whether a payment dated `paymentDate` earns the discount: paid on or before
 * the discount deadline plus `graceDays` (mail float many AR teams allow).
 * A payment dated before the document still counts as early.
 */
export function discountAvailable(params: {
  terms: PaymentTerms;
  documentDate: IsoDate;
  paymentDate: IsoDate;
  graceDays?: number;
}): boolean {
  const lastDay = discountLastDay(params.terms, params.documentDate, params.graceDays);
  if (lastDay === null) return false;
  return parseIsoDate(params.paymentDate, "paymentDate") <= lastDay;
}

/** The last payment date that earns the discount: its deadline plus `graceDays`; null when the terms have none. */
export function discountLastDay(terms: PaymentTerms, documentDate: IsoDate, graceDays?: number): IsoDate | null {
  const grace = graceDaysOf(graceDays);
  const deadline = discountDeadline(terms, documentDate);
  return deadline === null ? null : addDays(deadline, grace);
}

/**
 * The discount earned on `amount` by a payment dated `paymentDate`: the
 * terms' percent of the amount, rounded half-up to the currency's minor unit
 * (2% of 10.25 is 0.205 → 0.21); zero when the discount is not available.
 */
export function discountAmount(params: {
  terms: PaymentTerms;
  amount: Money;
  documentDate: IsoDate;
  paymentDate: IsoDate;
  graceDays?: number;
}): Money {
  const { terms, amount } = params;
  if (!(amount instanceof Money)) {
    throw new DomainError("invalid_amount", "amount must be a Money", { field: "amount" });
  }
  if (amount.isNegative()) {
    throw new DomainError("invalid_amount", `amount ${amount.toString()} must not be negative`, { field: "amount" });
  }
  if (!discountAvailable(params) || terms.discount === null) return Money.zero(amount.currency);
  return amount.percentage(terms.discount.percent, "halfUp");
}
