/**
 * General-ledger postings of subledger events (DESIGN.md "GL postings").
 * Every event posts one balanced journal; `balancedJournal` refuses one
 * whose debits and credits differ, per currency.
 *
 *   invoice / debit memo   DR AR                CR revenue
 *   credit memo            DR sales returns     CR AR
 *   receipt                DR cash              CR unapplied cash
 *   application (cash)     DR unapplied cash    CR AR
 *   discount taken         DR sales discounts   CR AR
 *   write-off              DR bad debt expense  CR AR
 *   receipt reversal       DR unapplied cash    CR cash
 *
 * Applying a credit memo to an invoice moves nothing between accounts (both
 * sides are AR), so only its discount/write-off parts post. A reversal posts
 * the same lines with debit and credit swapped, dated when it happened.
 *
 * So the AR control account (per currency) always equals open invoices and
 * debit memos less open credit memos, and the unapplied-cash account equals
 * the receipts' unapplied amounts; the invariant checks rely on that.
 */
import type { CurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import { Money } from "./money.js";

export const ACCOUNTS = {
  cash: "1000",
  accountsReceivable: "1200",
  unappliedCash: "2050",
  revenue: "4000",
  salesReturns: "4100",
  salesDiscounts: "4900",
  badDebt: "6100",
} as const;
export type AccountKey = keyof typeof ACCOUNTS;

export const ACCOUNT_NAMES: Record<AccountKey, string> = {
  cash: "Cash",
  accountsReceivable: "Accounts receivable (control)",
  unappliedCash: "Unapplied cash",
  revenue: "Revenue",
  salesReturns: "Sales returns and allowances",
  salesDiscounts: "Sales discounts",
  badDebt: "Bad debt expense",
};

export interface JournalLine {
  readonly account: string;
  readonly debit: Money;
  readonly credit: Money;
}

export interface Journal {
  readonly id: string;
  readonly date: IsoDate;
  readonly eventKind: string;
  readonly eventId: string;
  readonly memo: string;
  readonly currency: CurrencyCode;
  readonly lines: readonly JournalLine[];
}

/** A journal from (debit account, credit account, amount) legs; zero legs are dropped. */
export function balancedJournal(spec: {
  id: string;
  date: IsoDate;
  eventKind: string;
  eventId: string;
  memo: string;
  currency: CurrencyCode;
  legs: readonly { debit: AccountKey; credit: AccountKey; amount: Money }[];
}): Journal | null {
  const lines: JournalLine[] = [];
  const zero = Money.zero(spec.currency);
  for (const leg of spec.legs) {
    if (leg.amount.currency !== spec.currency) {
      throw new DomainError("currency_mismatch", `journal ${spec.id} is in ${spec.currency} but a leg is in ${leg.amount.currency}`);
    }
    if (leg.amount.isZero()) continue;
    // A negative leg (a reversal) posts the other way round.
    const negative = leg.amount.isNegative();
    const amount = negative ? leg.amount.abs() : leg.amount;
    lines.push({ account: ACCOUNTS[negative ? leg.credit : leg.debit], debit: amount, credit: zero });
    lines.push({ account: ACCOUNTS[negative ? leg.debit : leg.credit], debit: zero, credit: amount });
  }
  if (lines.length === 0) return null;
  // Summed in minor units (every line is in spec.currency, checked above).
  let debits = 0n;
  let credits = 0n;
  for (const line of lines) {
    debits += line.debit.toMinor();
    credits += line.credit.toMinor();
  }
  if (debits !== credits) {
    const show = (minor: bigint) => Money.fromMinor(minor, spec.currency).toString();
    throw new DomainError("invalid_argument", `journal ${spec.id} does not balance: debits ${show(debits)} ≠ credits ${show(credits)}`);
  }
  // Built field by field: spreading `spec` would carry its `legs` into the journal.
  const { id, date, eventKind, eventId, memo, currency } = spec;
  return { id, date, eventKind, eventId, memo, currency, lines };
}
