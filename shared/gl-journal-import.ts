/**
 * Journals that reach the AR control account from outside the subledger
 * (manual GL entries, ERP corrections, accruals), imported so the AR-to-GL
 * reconciliation can explain them. Each is balanced, dated, in one currency,
 * touches the AR control account, and is refused into a closed period or the
 * future. Validation is pure and reports every problem with the journal's
 * index and the field, as a change set's 422 does.
 *
 *   { "journals": [ { "id": "GJ-2026-0142", "date": "2026-10-31", "memo": "…", "currency": "USD",
 *       "lines": [ { "account": "1200", "debit": "150.00" }, { "account": "6100", "credit": "150.00" } ] } ] }
 */
import { z } from "zod";
import { amountSchema, currencySchema, dateSchema, idSchema, type OperationError } from "./changeset.js";
import { isCurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { isDomainError } from "./errors.js";
import { ACCOUNTS, type Journal, type JournalLine } from "./gl.js";
import { Money } from "./money.js";

const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export const externalJournalLineSchema = z.strictObject({
  account: z.string().regex(ACCOUNT, "must be a GL account number such as \"1200\" (1–40 letters, digits, '.', '_' or '-')"),
  debit: amountSchema.optional(),
  credit: amountSchema.optional(),
});

export const externalJournalSchema = z.strictObject({
  /** The journal's id in the GL it came from; a journal imports once. */
  id: idSchema,
  date: dateSchema,
  memo: z.string().min(1, "must not be empty").max(2000, "must be at most 2000 characters"),
  currency: currencySchema,
  lines: z.array(externalJournalLineSchema).min(2, "a journal needs at least two lines").max(1000),
});

export const externalJournalBatchSchema = z.strictObject({
  journals: z.array(externalJournalSchema).min(1, "send at least one journal").max(1000),
});

export type ExternalJournalInput = z.infer<typeof externalJournalSchema>;

/** The stored journal id of an external journal: its GL id, prefixed so it can never collide with a subledger posting's. */
export function externalJournalId(glId: string): string {
  return `external:${glId}`;
}

export type ExternalJournalPlan =
  | { readonly ok: true; readonly journals: readonly Journal[] }
  | { readonly ok: false; readonly errors: readonly OperationError[] };

const OP = "gl.journal";

/**
 * Checks a batch and turns it into journals (eventKind "external", eventId
 * the GL's id). `closedPeriods` are "YYYY-MM"; `today` bounds the dates.
 */
export function planExternalJournals(
  body: unknown,
  ctx: { closedPeriods: ReadonlySet<string>; today: IsoDate; arAccount?: string },
): ExternalJournalPlan {
  const arAccount = ctx.arAccount ?? ACCOUNTS.accountsReceivable;
  const parsed = externalJournalBatchSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => {
        const [first, second, ...rest] = issue.path;
        const inJournal = first === "journals" && typeof second === "number";
        const path = (inJournal ? rest : issue.path).map(String);
        if (issue.code === "unrecognized_keys") path.push(issue.keys.join(","));
        return {
          index: inJournal ? second : -1,
          ref: null,
          op: OP,
          field: path.join(".") || "body",
          code: issue.code === "unrecognized_keys" ? "unknown_field" : "invalid_field",
          message: issue.message,
        };
      }),
    };
  }
  const errors: OperationError[] = [];
  const journals: Journal[] = [];
  const seen = new Set<string>();
  parsed.data.journals.forEach((input, index) => {
    const fail = (field: string, code: string, message: string) => {
      errors.push({ index, ref: input.id, op: OP, field, code, message });
    };
    const before = errors.length;
    if (seen.has(input.id)) fail("id", "duplicate_id", `journal "${input.id}" appears twice in this import`);
    seen.add(input.id);
    if (!isCurrencyCode(input.currency)) {
      fail("currency", "invalid_currency", `"${input.currency}" is not a known ISO 4217 currency`);
      return;
    }
    const currency = input.currency;
    const period = input.date.slice(0, 7);
    if (ctx.closedPeriods.has(period)) {
      fail("date", "closed_period", `${input.date} falls in period ${period}, which is closed; nothing posts into a closed period`);
    }
    if (input.date > ctx.today) fail("date", "future_date", `journal date ${input.date} is after today (${ctx.today})`);

    const zero = Money.zero(currency);
    const lines: JournalLine[] = [];
    input.lines.forEach((line, i) => {
      const parse = (text: string | undefined, field: "debit" | "credit"): Money | null => {
        if (text === undefined) return zero;
        try {
          const amount = Money.parse(text, currency, `lines.${i}.${field}`);
          if (amount.isNegative()) {
            fail(`lines.${i}.${field}`, "invalid_amount", `${field} ${amount.format()} is negative; put it on the other side`);
            return null;
          }
          return amount;
        } catch (error) {
          if (!isDomainError(error)) throw error;
          fail(`lines.${i}.${field}`, error.code, error.message);
          return null;
        }
      };
      const debit = parse(line.debit, "debit");
      const credit = parse(line.credit, "credit");
      if (debit === null || credit === null) return;
      if (debit.isZero() === credit.isZero()) {
        fail(`lines.${i}`, "invalid_line", `line ${i + 1} (account ${line.account}) needs exactly one of a debit or a credit greater than zero`);
        return;
      }
      lines.push({ account: line.account, debit, credit });
    });
    if (errors.length > before) return;

    const debits = Money.sum(lines.map((l) => l.debit), currency);
    const credits = Money.sum(lines.map((l) => l.credit), currency);
    if (!debits.equals(credits)) {
      fail("lines", "unbalanced", `journal "${input.id}" does not balance: debits ${debits.format()} ≠ credits ${credits.format()} ${currency}`);
      return;
    }
    if (!lines.some((l) => l.account === arAccount)) {
      fail("lines", "not_ar_control", `journal "${input.id}" does not touch the AR control account ${arAccount}; only journals that reach AR belong here`);
      return;
    }
    journals.push({
      id: externalJournalId(input.id),
      date: input.date,
      eventKind: "external",
      eventId: input.id,
      memo: input.memo,
      currency,
      lines,
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, journals };
}
