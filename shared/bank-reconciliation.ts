/**
 * Bank deposit reconciliation of one imported statement: its lines against
 * the receipts recorded in the ledger, and its balances against each other.
 *
 * - matched: a line and the receipt that records it (receipt.create with
 *   bankLineId, which only accepts the line's exact amount and currency);
 * - lines without a receipt: booked lines nobody recorded (open or ignored),
 *   credits and debits alike (bank fees, returned items, transfers);
 * - receipts without a line: receipts in the statement's currency dated in
 *   its date range that no bank line records (deposits in transit, or cash
 *   recorded against the wrong statement);
 * - lines in another currency than the statement's (camt allows them) are
 *   listed apart: amounts of two currencies are never summed;
 * - the tie-out: opening balance + Σ booked credits − Σ booked debits must
 *   equal the closing balance; the difference is stated. Entries the bank
 *   has not booked (pending, information, future) are listed but not counted.
 *
 * Pure: the store loads the rows, this adds them up.
 */
import type { BankDirection, BankLineStatus } from "./bank.js";
import type { CurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import { Money } from "./money.js";

export type BankLineMatchStatus = "open" | "matched" | "ignored";

export interface ReconciliationLine {
  readonly id: string;
  readonly lineNo: number;
  readonly bookingDate: IsoDate;
  /** Signed: a credit positive, a debit negative. */
  readonly amount: Money;
  readonly direction: BankDirection;
  readonly entryStatus: BankLineStatus;
  readonly status: BankLineMatchStatus;
  readonly receiptId: string | null;
  readonly payerName: string | null;
  readonly reference: string | null;
}

export interface ReconciliationReceipt {
  readonly id: string;
  readonly customerId: string;
  readonly customerNumber: string;
  readonly customerName: string;
  readonly date: IsoDate;
  readonly amount: Money;
  readonly method: string;
  readonly reference: string;
  readonly reversed: boolean;
}

export interface ReconciliationStatement {
  readonly id: string;
  readonly currency: CurrencyCode;
  readonly from: IsoDate | null;
  readonly to: IsoDate | null;
  readonly openingBalance: Money | null;
  readonly closingBalance: Money | null;
}

export interface BankReconciliation {
  readonly statementId: string;
  readonly currency: CurrencyCode;
  readonly from: IsoDate | null;
  readonly to: IsoDate | null;
  readonly matched: readonly { readonly line: ReconciliationLine; readonly receipt: ReconciliationReceipt }[];
  readonly linesWithoutReceipt: readonly ReconciliationLine[];
  readonly receiptsWithoutLine: readonly ReconciliationReceipt[];
  /** Pending, information and future entries: not money on the account yet. */
  readonly notBooked: readonly ReconciliationLine[];
  /** Lines in another currency than the statement's: listed, not counted. */
  readonly otherCurrency: readonly ReconciliationLine[];
  readonly totals: {
    /** Σ booked credits. */
    readonly credits: Money;
    /** Σ booked debits, as a positive amount. */
    readonly debits: Money;
    /** credits − debits. */
    readonly net: Money;
    readonly matched: Money;
    /** Σ booked credits without a receipt. */
    readonly creditsWithoutReceipt: Money;
    /** Σ booked debits without a receipt, positive. */
    readonly debitsWithoutReceipt: Money;
    readonly receiptsWithoutLine: Money;
  };
  readonly balance: {
    readonly opening: Money | null;
    readonly closing: Money | null;
    /** opening + credits − debits; null without an opening balance. */
    readonly expectedClosing: Money | null;
    /** closing − expectedClosing; null when either balance is missing. */
    readonly difference: Money | null;
    /** null: the statement gives no opening or no closing balance, so it cannot tie. */
    readonly ties: boolean | null;
    readonly message: string;
  };
}

export function reconcileBankStatement(input: {
  statement: ReconciliationStatement;
  lines: readonly ReconciliationLine[];
  /** The receipt recording each matched line, by line id. */
  receiptsByLine: ReadonlyMap<string, ReconciliationReceipt>;
  receiptsWithoutLine: readonly ReconciliationReceipt[];
}): BankReconciliation {
  const { statement } = input;
  const currency = statement.currency;
  const zero = Money.zero(currency);
  const inCurrency = (amount: Money, what: string): Money => {
    if (amount.currency !== currency) {
      throw new DomainError("currency_mismatch", `${what} is in ${amount.currency}, the statement in ${currency}`);
    }
    return amount;
  };

  const matched: { line: ReconciliationLine; receipt: ReconciliationReceipt }[] = [];
  const linesWithoutReceipt: ReconciliationLine[] = [];
  const notBooked: ReconciliationLine[] = [];
  const otherCurrency: ReconciliationLine[] = [];
  let credits = zero;
  let debits = zero;
  let matchedTotal = zero;
  let creditsWithoutReceipt = zero;
  let debitsWithoutReceipt = zero;

  for (const line of input.lines) {
    const amount = line.amount;
    if (amount.currency !== currency) {
      otherCurrency.push(line);
      continue;
    }
    if (line.entryStatus !== "booked") {
      notBooked.push(line);
      continue;
    }
    if (amount.isNegative()) debits = debits.add(amount.negate());
    else credits = credits.add(amount);
    const receipt = line.receiptId === null ? undefined : input.receiptsByLine.get(line.id);
    if (receipt !== undefined) {
      matched.push({ line, receipt });
      matchedTotal = matchedTotal.add(amount);
    } else {
      linesWithoutReceipt.push(line);
      if (amount.isNegative()) debitsWithoutReceipt = debitsWithoutReceipt.add(amount.negate());
      else creditsWithoutReceipt = creditsWithoutReceipt.add(amount);
    }
  }
  const receiptsTotal = Money.sum(
    input.receiptsWithoutLine.map((r) => inCurrency(r.amount, `receipt ${r.reference || r.id}`)),
    currency,
  );
  const net = credits.subtract(debits);
  const opening = statement.openingBalance === null ? null : inCurrency(statement.openingBalance, "the opening balance");
  const closing = statement.closingBalance === null ? null : inCurrency(statement.closingBalance, "the closing balance");
  const expectedClosing = opening === null ? null : opening.add(net);
  const difference = expectedClosing === null || closing === null ? null : closing.subtract(expectedClosing);
  const ties = difference === null ? null : difference.isZero();

  let message: string;
  if (opening === null || closing === null) {
    const missing = [opening === null ? "opening" : null, closing === null ? "closing" : null].filter((m) => m !== null);
    message = `the statement gives no ${missing.join(" and no ")} balance, so it cannot be tied out`;
  } else if (ties === true) {
    message = `ties out: opening ${opening.format()} + credits ${credits.format()} − debits ${debits.format()} = closing ${closing.format()} ${currency}`;
  } else {
    message = `does not tie: opening ${opening.format()} + credits ${credits.format()} − debits ${debits.format()} = ${expectedClosing?.format() ?? ""}, but the closing balance is ${closing.format()} ${currency} (difference ${difference?.format() ?? ""})`;
  }
  if (otherCurrency.length > 0) {
    message += `; ${otherCurrency.length} line${otherCurrency.length === 1 ? " is" : "s are"} in another currency than ${currency}, listed but not counted`;
  }

  return {
    statementId: statement.id,
    currency,
    from: statement.from,
    to: statement.to,
    matched,
    linesWithoutReceipt,
    receiptsWithoutLine: [...input.receiptsWithoutLine],
    notBooked,
    otherCurrency,
    totals: {
      credits,
      debits,
      net,
      matched: matchedTotal,
      creditsWithoutReceipt,
      debitsWithoutReceipt,
      receiptsWithoutLine: receiptsTotal,
    },
    balance: { opening, closing, expectedClosing, difference, ties, message },
  };
}
