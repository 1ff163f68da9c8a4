/**
 * AR subledger to GL control-account reconciliation as of a date D, per
 * currency (currencies are never summed together).
 *
 *   difference = GL AR control balance as of D − subledger open total as of D
 *
 * The subledger open total is what aging shows: open documents (invoices and
 * debit memos less credit memos) plus unapplied cash, which aging shows as
 * negative items. The GL balance is Σ debit − credit on the AR control
 * account over journals dated on or before D. Every subledger event posts a
 * journal dated on the event's own date, so the two agree except for:
 *
 * - unapplied cash: netted in aging, but held in the unapplied-cash account,
 *   not in AR control (item amount −unapplied, a positive number);
 * - external journals: posted to AR control from outside the subledger,
 *   dated on or before D (item amount = their debit − credit on AR);
 * - postings on the other side of D from their event: a journal dated after
 *   D for an event dated on or before D is in the subledger but not yet in
 *   the GL (−amount; a back-dated document or payment posted later); a
 *   journal dated on or before D for an event dated after D is in the GL
 *   early (+amount); a subledger journal whose event row is missing counts
 *   fully in the GL (+amount);
 * - events not posted at all, dated on or before D (−their effect on AR).
 *
 * Each item's amount is its effect on (GL − subledger), so Σ items explains
 * the difference and `unexplained` = difference − Σ items is zero when
 * everything is accounted for. A non-zero remainder is reported, never hidden.
 */
import { isCurrencyCode, type CurrencyCode } from "./currency.js";
import type { IsoDate } from "./dates.js";
import { DomainError } from "./errors.js";
import { Money } from "./money.js";

export type ReconcilingItemKind =
  | "unappliedCash"
  | "externalJournal"
  | "postedAfterAsOf"
  | "postedBeforeEvent"
  | "postingWithoutEvent"
  | "notPosted";

export interface ReconcilingItem {
  readonly kind: ReconcilingItemKind;
  /** Effect on GL − subledger. */
  readonly amount: Money;
  /** The journal's date (GL items) or the event's date (subledger items). */
  readonly date: IsoDate | null;
  readonly journalId: string | null;
  readonly eventId: string | null;
  /** Document number, external journal id, or null. */
  readonly reference: string | null;
  readonly description: string;
}

export interface ArGlCurrencyReconciliation {
  readonly currency: CurrencyCode;
  /** Aging total as of D: documents + unapplied cash (negative). */
  readonly subledgerOpen: Money;
  readonly subledgerDocuments: Money;
  /** Negative or zero, as aging shows it. */
  readonly unappliedCash: Money;
  readonly glBalance: Money;
  /** glBalance − subledgerOpen. */
  readonly difference: Money;
  readonly items: readonly ReconcilingItem[];
  /** Σ item amounts. */
  readonly explained: Money;
  /** difference − explained: zero when every difference is accounted for. */
  readonly unexplained: Money;
  readonly reconciled: boolean;
}

export interface ArGlReconciliation {
  readonly asOf: IsoDate;
  readonly account: string;
  readonly currencies: readonly ArGlCurrencyReconciliation[];
}

export interface ArGlInput {
  readonly asOf: IsoDate;
  /** The AR control account's number. */
  readonly account: string;
  readonly subledger: readonly { currency: string; documents: Money; unappliedCash: Money }[];
  readonly gl: readonly { currency: string; balance: Money }[];
  readonly externalJournals: readonly { journalId: string; date: IsoDate; reference: string; memo: string; amount: Money }[];
  /** Subledger journals to AR whose journal date and event date lie on different sides of D (or whose event is missing). */
  readonly postingsAcross: readonly {
    journalId: string;
    eventKind: string;
    eventId: string;
    reference: string | null;
    journalDate: IsoDate;
    eventDate: IsoDate | null;
    amount: Money;
  }[];
  readonly unposted: readonly { eventKind: string; eventId: string; reference: string; eventDate: IsoDate; amount: Money }[];
}

const EVENT_NAMES: Readonly<Record<string, string>> = {
  invoice: "invoice",
  debitMemo: "debit memo",
  creditMemo: "credit memo",
  application: "application to",
  applicationReversal: "reversal of an application to",
  writeOff: "write-off of",
};

function eventName(kind: string, reference: string | null, id: string): string {
  return `${EVENT_NAMES[kind] ?? kind} ${reference ?? id}`;
}

function periodOf(date: IsoDate): string {
  return date.slice(0, 7);
}

export function reconcileArToGl(input: ArGlInput): ArGlReconciliation {
  const { asOf } = input;
  const byCurrency = new Map<CurrencyCode, { documents: Money; unapplied: Money; gl: Money; items: ReconcilingItem[] }>();
  const entry = (currency: string) => {
    if (!isCurrencyCode(currency)) throw new DomainError("invalid_currency", `"${currency}" is not a known ISO 4217 currency`);
    let e = byCurrency.get(currency);
    if (e === undefined) {
      const zero = Money.zero(currency);
      e = { documents: zero, unapplied: zero, gl: zero, items: [] };
      byCurrency.set(currency, e);
    }
    return e;
  };

  for (const s of input.subledger) {
    const e = entry(s.currency);
    e.documents = e.documents.add(s.documents);
    e.unapplied = e.unapplied.add(s.unappliedCash);
  }
  for (const g of input.gl) {
    const e = entry(g.currency);
    e.gl = e.gl.add(g.balance);
  }
  for (const [currency, e] of byCurrency) {
    if (!e.unapplied.isZero()) {
      e.items.push({
        kind: "unappliedCash",
        amount: e.unapplied.negate(),
        date: asOf,
        journalId: null,
        eventId: null,
        reference: null,
        description: `unapplied cash ${e.unapplied.negate().format()} ${currency}: shown as negative items in aging, held in the unapplied-cash account, not in AR control`,
      });
    }
  }
  for (const j of input.externalJournals) {
    entry(j.amount.currency).items.push({
      kind: "externalJournal",
      amount: j.amount,
      date: j.date,
      journalId: j.journalId,
      eventId: null,
      reference: j.reference,
      description: `journal ${j.reference} dated ${j.date} posted ${j.amount.format()} ${j.amount.currency} to AR control from outside the subledger: ${j.memo}`,
    });
  }
  for (const p of input.postingsAcross) {
    const name = eventName(p.eventKind, p.reference, p.eventId);
    const e = entry(p.amount.currency);
    if (p.eventDate === null) {
      if (p.journalDate > asOf) continue;
      e.items.push({
        kind: "postingWithoutEvent",
        amount: p.amount,
        date: p.journalDate,
        journalId: p.journalId,
        eventId: p.eventId,
        reference: p.reference,
        description: `subledger journal ${p.journalId} dated ${p.journalDate} posts ${p.amount.format()} ${p.amount.currency} to AR for ${p.eventKind} ${p.eventId}, which the subledger does not hold`,
      });
    } else if (p.eventDate <= asOf && p.journalDate > asOf) {
      e.items.push({
        kind: "postedAfterAsOf",
        amount: p.amount.negate(),
        date: p.eventDate,
        journalId: p.journalId,
        eventId: p.eventId,
        reference: p.reference,
        description: `${name} dated ${p.eventDate} (period ${periodOf(p.eventDate)}) was posted to the GL on ${p.journalDate} (period ${periodOf(p.journalDate)}): in the subledger as of ${asOf}, not yet in the GL (${p.amount.format()} ${p.amount.currency} on AR)`,
      });
    } else if (p.eventDate > asOf && p.journalDate <= asOf) {
      e.items.push({
        kind: "postedBeforeEvent",
        amount: p.amount,
        date: p.journalDate,
        journalId: p.journalId,
        eventId: p.eventId,
        reference: p.reference,
        description: `${name} dated ${p.eventDate} (period ${periodOf(p.eventDate)}) was posted to the GL on ${p.journalDate} (period ${periodOf(p.journalDate)}): in the GL as of ${asOf}, not yet in the subledger (${p.amount.format()} ${p.amount.currency} on AR)`,
      });
    }
  }
  for (const u of input.unposted) {
    if (u.eventDate > asOf) continue;
    entry(u.amount.currency).items.push({
      kind: "notPosted",
      amount: u.amount.negate(),
      date: u.eventDate,
      journalId: null,
      eventId: u.eventId,
      reference: u.reference,
      description: `${eventName(u.eventKind, u.reference, u.eventId)} dated ${u.eventDate} changes AR by ${u.amount.format()} ${u.amount.currency} but has no GL journal`,
    });
  }

  const currencies = [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, e]): ArGlCurrencyReconciliation => {
      const subledgerOpen = e.documents.add(e.unapplied);
      const difference = e.gl.subtract(subledgerOpen);
      const explained = Money.sum(e.items.map((i) => i.amount), currency);
      const unexplained = difference.subtract(explained);
      return {
        currency,
        subledgerOpen,
        subledgerDocuments: e.documents,
        unappliedCash: e.unapplied,
        glBalance: e.gl,
        difference,
        items: e.items,
        explained,
        unexplained,
        reconciled: unexplained.isZero(),
      };
    });
  return { asOf, account: input.account, currencies };
}
