import { describe, expect, it } from "vitest";
import type { OperationConflict, OperationError } from "../../shared/changeset.js";
import {
  derivedId,
  planChangeSet,
  referencesOf,
  type Effect,
  type Plan,
  type PlanResult,
  type World,
} from "../../shared/changeset-validation.js";
import { Money } from "../../shared/money.js";
import type { Role } from "../../shared/roles.js";
import {
  aChangeSet,
  aCustomer,
  aDispute,
  aPlanContext,
  aWorld,
  aWorldApplication,
  aWorldDocument,
  aWorldReceipt,
  DEFAULT_CHANGE_SET_ID,
  type WorldSpec,
} from "../support/world.js";

// ---------------------------------------------------------------------------
// The ledger every test starts from. Today is 2026-03-15; January 2026 is closed.
// Customer C-1 pays on 2/10 NET 30.

const C1 = aCustomer({ id: "C-1", number: "1001", name: "Acme Corp", terms: "2/10 NET 30", version: 3 });
const C2 = aCustomer({ id: "C-2", number: "1002", name: "Bolt Ltd" });
const C3 = aCustomer({ id: "C-3", number: "1003", name: "Euro GmbH", currency: "EUR" });

// 2/10 NET 30 from 2026-03-01: discount through 2026-03-11, due 2026-03-31.
const INV_101 = aWorldDocument({
  id: "inv-101",
  number: "INV-101",
  customerId: "C-1",
  amount: "1000.00",
  documentDate: "2026-03-01",
  terms: "2/10 NET 30",
});
// 500.00 less 200.00 paid by r-old (a-old) = 300.00 open. NET 30 from 2026-01-15: due 2026-02-14.
const INV_102 = aWorldDocument({
  id: "inv-102",
  number: "INV-102",
  customerId: "C-1",
  amount: "500.00",
  open: "300.00",
  documentDate: "2026-01-15",
  version: 2,
});
// NET 30 from 2026-02-20: due 2026-03-22.
const INV_103 = aWorldDocument({
  id: "inv-103",
  number: "INV-103",
  customerId: "C-1",
  amount: "750.00",
  documentDate: "2026-02-20",
});
// 400.00 less 100.00 and 50.00 from r-nsf = 250.00 open. NET 30 from 2026-02-25: due 2026-03-27.
const INV_104 = aWorldDocument({
  id: "inv-104",
  number: "INV-104",
  customerId: "C-1",
  amount: "400.00",
  open: "250.00",
  documentDate: "2026-02-25",
  version: 3,
});
const CM_9 = aWorldDocument({
  id: "cm-9",
  type: "creditMemo",
  number: "CM-9",
  customerId: "C-1",
  amount: "50.00",
  documentDate: "2026-02-25",
});
const INV_201 = aWorldDocument({
  id: "inv-201",
  number: "INV-201",
  customerId: "C-2",
  amount: "400.00",
  documentDate: "2026-02-01",
  disputed: true,
  version: 2,
});
const INV_301 = aWorldDocument({
  id: "inv-301",
  number: "INV-301",
  customerId: "C-3",
  currency: "EUR",
  amount: "600.00",
  documentDate: "2026-02-01",
});

const R_OLD = aWorldReceipt({
  id: "r-old",
  customerId: "C-1",
  date: "2026-02-10",
  amount: "200.00",
  unapplied: "0.00",
  version: 2,
});
// 300.00 received; its one application (a-gone, 120.00) was reversed, so all 300.00 is unapplied.
const R_OPEN = aWorldReceipt({
  id: "r-open",
  customerId: "C-1",
  date: "2026-03-02",
  amount: "300.00",
  reference: "CHK 5521",
});
// 250.00 less 100.00 and 50.00 applied to INV-104 = 100.00 unapplied.
const R_NSF = aWorldReceipt({
  id: "r-nsf",
  customerId: "C-1",
  date: "2026-03-03",
  amount: "250.00",
  unapplied: "100.00",
  reference: "CHK 7781",
  version: 3,
});
const R_DONE = aWorldReceipt({
  id: "r-done",
  customerId: "C-1",
  date: "2026-02-05",
  amount: "80.00",
  unapplied: "0.00",
  reversed: true,
  version: 2,
});

const A_OLD = aWorldApplication({ id: "a-old", from: R_OLD, to: INV_102, amount: "200.00" });
const A_NSF1 = aWorldApplication({ id: "a-nsf1", from: R_NSF, to: INV_104, amount: "100.00" });
const A_NSF2 = aWorldApplication({ id: "a-nsf2", from: R_NSF, to: INV_104, amount: "50.00", date: "2026-03-04" });
const A_GONE = aWorldApplication({ id: "a-gone", from: R_OPEN, to: INV_103, amount: "120.00", reversed: true });
const A_GONE_REV = aWorldApplication({
  id: "a-gone-rev",
  from: R_OPEN,
  to: INV_103,
  amount: "-120.00",
  date: "2026-03-05",
  isReversal: true,
});

const DSP_1 = aDispute({ id: "dsp-1", documentId: "inv-201", version: 2 });
const DSP_OLD = aDispute({ id: "dsp-old", documentId: "inv-103", status: "resolved", version: 2 });

const BASE: WorldSpec = {
  customers: [C1, C2, C3],
  documents: [INV_101, INV_102, INV_103, INV_104, CM_9, INV_201, INV_301],
  receipts: [R_OLD, R_OPEN, R_NSF, R_DONE],
  applications: [A_OLD, A_NSF1, A_NSF2, A_GONE, A_GONE_REV],
  disputes: [DSP_1, DSP_OLD],
  closedPeriods: ["2026-01"],
  extraTakenIds: ["note-1"],
  extraTakenNumbers: ["customer:2000", "invoice:INV-900"],
};
const WORLD = aWorld(BASE);

// ---------------------------------------------------------------------------
// Helpers

const usd = (text: string): Money => Money.parse(text, "USD");

type Op = Record<string, unknown>;

function plan(
  operations: readonly Op[],
  options: { world?: World; role?: Role; today?: string; graceDays?: number } = {},
): PlanResult {
  return planChangeSet(
    aChangeSet(operations),
    options.world ?? WORLD,
    aPlanContext({
      ...(options.role === undefined ? {} : { role: options.role }),
      ...(options.today === undefined ? {} : { today: options.today }),
      ...(options.graceDays === undefined ? {} : { discountGraceDays: options.graceDays }),
    }),
  );
}

function planned(result: PlanResult): Plan {
  if (!result.ok)
    throw new Error(`expected a plan, got ${JSON.stringify({ errors: result.errors, conflicts: result.conflicts })}`);
  return result.plan;
}

function refused(result: PlanResult): { errors: readonly OperationError[]; conflicts: readonly OperationConflict[] } {
  if (result.ok) throw new Error("expected the change set to be refused, it was planned");
  return { errors: result.errors, conflicts: result.conflicts };
}

/** The one error of a change set refused for exactly one reason, with no conflicts. */
function onlyError(result: PlanResult): OperationError {
  const { errors, conflicts } = refused(result);
  expect(conflicts).toEqual([]);
  expect(errors).toHaveLength(1);
  const [error] = errors;
  if (error === undefined) throw new Error("no error");
  return error;
}

const effectsOf = <K extends Effect["kind"]>(p: Plan, kind: K): Extract<Effect, { kind: K }>[] =>
  p.effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);

/** Journals as plain text: { id: [date, [[account, debit, credit], …]] }. */
function journalsOf(p: Plan): Record<string, [string, string[][]]> {
  return Object.fromEntries(
    effectsOf(p, "journal").map(({ journal: j }) => [
      j.id,
      [j.date, j.lines.map((l) => [l.account, l.debit.toString(), l.credit.toString()])],
    ]),
  );
}

/** Balance changes as plain text, keyed "entity:id". */
function balancesOf(
  p: Plan,
): Record<
  string,
  { baseVersion: number | null; delta: string; activityDate: string; disputed?: boolean; reversed?: boolean }
> {
  return Object.fromEntries(
    p.balances.map((b) => [
      `${b.entity}:${b.id}`,
      {
        baseVersion: b.baseVersion,
        delta: b.delta.toString(),
        activityDate: b.activityDate,
        ...(b.disputed === undefined ? {} : { disputed: b.disputed }),
        ...(b.reversed === undefined ? {} : { reversed: b.reversed }),
      },
    ]),
  );
}

/** Application rows as plain text. */
function applicationsOf(p: Plan) {
  return effectsOf(p, "application.insert").map(({ application: a }) => ({
    id: a.id,
    source: `${a.sourceKind}:${a.sourceId}`,
    documentId: a.documentId,
    date: a.date,
    amount: a.amount.toString(),
    discount: a.discount.toString(),
    writeOff: a.writeOff.toString(),
    writeOffReason: a.writeOffReason,
    reversesId: a.reversesId,
  }));
}

/** A balance after the plan: what the world (or the new row) had plus the planned delta. */
function after(p: Plan, key: string, before: Money): string {
  const change = p.balances.find((b) => `${b.entity}:${b.id}` === key);
  return before.add(change?.delta ?? Money.zero(before.currency)).toString();
}

/** Every journal of the plan balances. */
function expectBalancedJournals(p: Plan): void {
  for (const { journal } of effectsOf(p, "journal")) {
    const debits = Money.sum(
      journal.lines.map((l) => l.debit),
      journal.currency,
    );
    const credits = Money.sum(
      journal.lines.map((l) => l.credit),
      journal.currency,
    );
    expect(debits.equals(credits), journal.id).toBe(true);
  }
}

const receiptCreate = (spec: Op): Op => ({
  op: "receipt.create",
  id: "r-new",
  customerId: "C-1",
  date: "2026-03-09",
  currency: "USD",
  method: "ach",
  reference: "ACH 778",
  ...spec,
});

const invoiceCreate = (spec: Op): Op => ({
  op: "invoice.create",
  id: "inv-new",
  customerId: "C-1",
  number: "INV-2001",
  documentDate: "2026-03-02",
  amount: "1250.00",
  ...spec,
});

// ---------------------------------------------------------------------------

describe("the test world", () => {
  it("is consistent: each receipt's unapplied and each document's open follow from its active applications", () => {
    // r-nsf: 250.00 − (100.00 + 50.00) = 100.00; inv-104: 400.00 − 150.00 = 250.00.
    expect(WORLD.activeApplicationsBySource.get("r-nsf")?.map((a) => a.id)).toEqual(["a-nsf1", "a-nsf2"]);
    // a-gone was reversed: r-open has no active application.
    expect(WORLD.activeApplicationsBySource.get("r-open")).toBeUndefined();
    expect(R_NSF.amount.subtract(usd("150.00")).equals(R_NSF.unapplied)).toBe(true);
    expect(INV_104.amount.subtract(usd("150.00")).equals(INV_104.open)).toBe(true);
    expect(INV_101.dueDate).toBe("2026-03-31");
    expect(INV_102.dueDate).toBe("2026-02-14");
  });
});

describe("invoice.create", () => {
  it("takes the customer's terms when none are given: 2/10 NET 30 from 2026-03-02 is due 2026-04-01", () => {
    // 2026-03-02 + 30 days: 29 days to 2026-03-31, one more is 2026-04-01.
    const p = planned(plan([invoiceCreate({ ref: "row-1" })]));
    expect(effectsOf(p, "document.insert").map((e) => e.document)).toEqual([
      {
        id: "inv-new",
        customerId: "C-1",
        type: "invoice",
        number: "INV-2001",
        documentDate: "2026-03-02",
        dueDate: "2026-04-01",
        currency: "USD",
        amount: usd("1250.00"),
        terms: C1.terms,
        disputed: false,
        memo: null,
      },
    ]);
    expect(journalsOf(p)).toEqual({
      "invoice:inv-new": [
        "2026-03-02",
        [
          ["1200", "1250.00", "0.00"],
          ["4000", "0.00", "1250.00"],
        ],
      ],
    });
    // A new document's balance is its amount as inserted: no balance change to write.
    expect(p.balances).toEqual([]);
    expect(p.results).toEqual([{ index: 0, ref: "row-1", op: "invoice.create", id: "inv-new" }]);
    expect(p.touched).toEqual([{ entity: "document", id: "inv-new" }]);
    expect(effectsOf(p, "audit")).toEqual([
      {
        kind: "audit",
        action: "invoice.create",
        entity: "document",
        entityId: "inv-new",
        detail: { number: "INV-2001", amount: "1250.00", currency: "USD" },
      },
    ]);
  });

  it("uses the invoice's own terms when given: NET 10 EOM from 2026-02-14 is due 2026-03-10", () => {
    // End of February 2026 is the 28th; + 10 days = 2026-03-10.
    const p = planned(plan([invoiceCreate({ documentDate: "2026-02-14", terms: "net 10 eom" })]));
    const [doc] = effectsOf(p, "document.insert").map((e) => e.document);
    expect(doc?.dueDate).toBe("2026-03-10");
    expect(doc?.terms?.code).toBe("NET 10 EOM");
  });

  it("keeps an explicit due date and currency", () => {
    const p = planned(
      plan([invoiceCreate({ dueDate: "2026-05-01", currency: "EUR", amount: "99.90", memo: "spare parts" })]),
    );
    const [doc] = effectsOf(p, "document.insert").map((e) => e.document);
    expect(doc).toMatchObject({ dueDate: "2026-05-01", currency: "EUR", memo: "spare parts" });
    expect(doc?.amount.toString()).toBe("99.90");
    expect(journalsOf(p)["invoice:inv-new"]?.[1]).toEqual([
      ["1200", "99.90", "0.00"],
      ["4000", "0.00", "99.90"],
    ]);
  });

  it("a debit memo posts like an invoice: DR AR / CR revenue", () => {
    const p = planned(
      plan([{ ...invoiceCreate({}), op: "debitMemo.create", id: "dm-1", number: "DM-1", amount: "35.00" }]),
    );
    expect(journalsOf(p)).toEqual({
      "debitMemo:dm-1": [
        "2026-03-02",
        [
          ["1200", "35.00", "0.00"],
          ["4000", "0.00", "35.00"],
        ],
      ],
    });
  });

  it("refuses an amount with more decimals than the currency has (JPY has none)", () => {
    const error = onlyError(plan([invoiceCreate({ currency: "JPY", amount: "100.50" })]));
    expect(error).toMatchObject({ index: 0, field: "amount", code: "invalid_amount" });
    expect(error.message).toContain("more than 0 decimal places");
  });

  it("refuses a due date before the document date", () => {
    expect(onlyError(plan([invoiceCreate({ dueDate: "2026-03-01" })]))).toMatchObject({
      field: "dueDate",
      code: "invalid_date",
    });
  });

  it("refuses terms it cannot read", () => {
    expect(onlyError(plan([invoiceCreate({ terms: "NET -5" })]))).toMatchObject({
      field: "terms",
      code: "invalid_terms",
    });
  });

  it("refuses an unknown currency", () => {
    expect(onlyError(plan([invoiceCreate({ currency: "XYZ" })]))).toMatchObject({
      field: "currency",
      code: "invalid_currency",
    });
  });
});

describe("receipt.create with applications", () => {
  // Received 2026-03-09, inside INV-101's discount window (through 2026-03-11).
  //   INV-101: 980.00 cash + 20.00 discount (2% of 1,000.00)          settles 1,000.00
  //   INV-102: 297.50 cash + 2.50 write-off (short pay)               settles   300.00
  //   INV-103: 400.00 cash, partial                                   settles   400.00
  //   cash applied 980.00 + 297.50 + 400.00 = 1,677.50; unapplied 1,700.00 − 1,677.50 = 22.50
  const op = receiptCreate({
    ref: "row-7",
    amount: "1700.00",
    applications: [
      { id: "a-1", documentId: "inv-101", documentVersion: 1, amount: "980.00", discount: "20.00" },
      {
        id: "a-2",
        documentId: "inv-102",
        documentVersion: 2,
        amount: "297.50",
        writeOff: "2.50",
        writeOffReason: "short pay",
      },
      { documentId: "inv-103", amount: "400.00" },
    ],
  });
  const derived = `${DEFAULT_CHANGE_SET_ID}:0:2`;

  it("plans the receipt, one application per allocation, and the derived id of an allocation without one", () => {
    const p = planned(plan([op]));
    expect(effectsOf(p, "receipt.insert").map((e) => e.receipt)).toEqual([
      {
        id: "r-new",
        customerId: "C-1",
        date: "2026-03-09",
        currency: "USD",
        amount: usd("1700.00"),
        method: "ach",
        reference: "ACH 778",
      },
    ]);
    expect(applicationsOf(p)).toEqual([
      {
        id: "a-1",
        source: "receipt:r-new",
        documentId: "inv-101",
        date: "2026-03-09",
        amount: "980.00",
        discount: "20.00",
        writeOff: "0.00",
        writeOffReason: null,
        reversesId: null,
      },
      {
        id: "a-2",
        source: "receipt:r-new",
        documentId: "inv-102",
        date: "2026-03-09",
        amount: "297.50",
        discount: "0.00",
        writeOff: "2.50",
        writeOffReason: "short pay",
        reversesId: null,
      },
      {
        id: derived,
        source: "receipt:r-new",
        documentId: "inv-103",
        date: "2026-03-09",
        amount: "400.00",
        discount: "0.00",
        writeOff: "0.00",
        writeOffReason: null,
        reversesId: null,
      },
    ]);
    expect(derived).toBe(derivedId(DEFAULT_CHANGE_SET_ID, 0, 2));
    expect(p.results).toEqual([{ index: 0, ref: "row-7", op: "receipt.create", id: "r-new" }]);
  });

  it("changes each document by what it settles and the receipt by the cash applied", () => {
    const p = planned(plan([op]));
    expect(balancesOf(p)).toEqual({
      "document:inv-101": { baseVersion: 1, delta: "-1000.00", activityDate: "2026-03-09" },
      "document:inv-102": { baseVersion: 2, delta: "-300.00", activityDate: "2026-03-09" },
      "document:inv-103": { baseVersion: 1, delta: "-400.00", activityDate: "2026-03-09" },
      "receipt:r-new": { baseVersion: null, delta: "-1677.50", activityDate: "2026-03-09" },
    });
    expect(after(p, "document:inv-101", INV_101.open)).toBe("0.00");
    expect(after(p, "document:inv-102", INV_102.open)).toBe("0.00");
    expect(after(p, "document:inv-103", INV_103.open)).toBe("350.00");
    expect(after(p, "receipt:r-new", usd("1700.00"))).toBe("22.50");
  });

  it("posts DR cash / CR unapplied, then DR unapplied / CR AR per application, and discount and write-off to expense", () => {
    const p = planned(plan([op]));
    expect(journalsOf(p)).toEqual({
      "receipt:r-new": [
        "2026-03-09",
        [
          ["1000", "1700.00", "0.00"],
          ["2050", "0.00", "1700.00"],
        ],
      ],
      "application:a-1": [
        "2026-03-09",
        [
          ["2050", "980.00", "0.00"],
          ["1200", "0.00", "980.00"],
          ["4900", "20.00", "0.00"],
          ["1200", "0.00", "20.00"],
        ],
      ],
      "application:a-2": [
        "2026-03-09",
        [
          ["2050", "297.50", "0.00"],
          ["1200", "0.00", "297.50"],
          ["6100", "2.50", "0.00"],
          ["1200", "0.00", "2.50"],
        ],
      ],
      [`application:${derived}`]: [
        "2026-03-09",
        [
          ["2050", "400.00", "0.00"],
          ["1200", "0.00", "400.00"],
        ],
      ],
    });
    expectBalancedJournals(p);
    expect(p.touched).toEqual(
      expect.arrayContaining([
        { entity: "receipt", id: "r-new" },
        { entity: "document", id: "inv-101" },
        { entity: "document", id: "inv-102" },
        { entity: "document", id: "inv-103" },
      ]),
    );
    expect(p.touched).toHaveLength(4);
  });

  it("a receipt without applications stays wholly unapplied", () => {
    const p = planned(plan([receiptCreate({ amount: "55.00" })]));
    expect(p.balances).toEqual([]);
    expect(applicationsOf(p)).toEqual([]);
    expect(Object.keys(journalsOf(p))).toEqual(["receipt:r-new"]);
  });
});

describe("several operations on the same rows", () => {
  it("an invoice created and paid in the same change set, with the customer's 2% discount", () => {
    // 2/10 NET 30 from 2026-03-05: discount through 2026-03-15. 2% of 200.00 = 4.00; 196.00 settles it.
    const p = planned(
      plan([
        invoiceCreate({ documentDate: "2026-03-05", amount: "200.00" }),
        receiptCreate({
          amount: "196.00",
          applications: [{ id: "a-9", documentId: "inv-new", amount: "196.00", discount: "4.00" }],
        }),
      ]),
    );
    expect(balancesOf(p)).toEqual({
      "document:inv-new": { baseVersion: null, delta: "-200.00", activityDate: "2026-03-09" },
      "receipt:r-new": { baseVersion: null, delta: "-196.00", activityDate: "2026-03-09" },
    });
    expect(after(p, "document:inv-new", usd("200.00"))).toBe("0.00");
    expect(after(p, "receipt:r-new", usd("196.00"))).toBe("0.00");
    expect(p.results.map((r) => r.id)).toEqual(["inv-new", "r-new"]);
  });

  it("two receipts applied to one invoice cannot together exceed its open amount", () => {
    // INV-103 has 750.00 open: 500.00 from the first receipt leaves 250.00, so 300.00 is 50.00 too much.
    const result = plan([
      receiptCreate({ id: "r-a", amount: "500.00", applications: [{ documentId: "inv-103", amount: "500.00" }] }),
      receiptCreate({
        id: "r-b",
        amount: "300.00",
        ref: "row-2",
        applications: [{ documentId: "inv-103", amount: "300.00" }],
      }),
    ]);
    const error = onlyError(result);
    expect(error).toMatchObject({
      index: 1,
      ref: "row-2",
      op: "receipt.create",
      field: "applications.0.amount",
      code: "exceeds_open",
    });
    expect(error.message).toContain("more than its open 250.00");
  });

  it("two receipts that together settle an invoice exactly are planned, each against the open amount left", () => {
    const p = planned(
      plan([
        receiptCreate({ id: "r-a", amount: "500.00", applications: [{ documentId: "inv-103", amount: "500.00" }] }),
        receiptCreate({ id: "r-b", amount: "250.00", applications: [{ documentId: "inv-103", amount: "250.00" }] }),
      ]),
    );
    expect(balancesOf(p)["document:inv-103"]).toEqual({ baseVersion: 1, delta: "-750.00", activityDate: "2026-03-09" });
  });

  it("applies a world receipt to several invoices and then spends what is left on another", () => {
    // r-open has 300.00: 200.00 to INV-103, then the 100.00 left to INV-104.
    const p = planned(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          receiptVersion: 1,
          date: "2026-03-09",
          applications: [{ documentId: "inv-103", amount: "200.00" }],
        },
        {
          op: "receipt.apply",
          receiptId: "r-open",
          receiptVersion: 1,
          date: "2026-03-10",
          applications: [{ documentId: "inv-104", amount: "100.00" }],
        },
      ]),
    );
    expect(balancesOf(p)["receipt:r-open"]).toEqual({ baseVersion: 1, delta: "-300.00", activityDate: "2026-03-10" });
    expect(after(p, "receipt:r-open", R_OPEN.unapplied)).toBe("0.00");
    // A third application finds nothing left.
    const error = onlyError(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-103", amount: "300.00" }],
        },
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", amount: "0.01" }],
        },
      ]),
    );
    expect(error).toMatchObject({ index: 1, field: "applications.0.amount", code: "exceeds_unapplied" });
  });
});

describe("credit memos", () => {
  it("create and apply: the memo posts DR returns / CR AR; applying it moves nothing between accounts", () => {
    const p = planned(
      plan([
        {
          op: "creditMemo.create",
          id: "cm-new",
          customerId: "C-1",
          number: "CM-501",
          documentDate: "2026-03-05",
          amount: "100.00",
        },
        {
          op: "creditMemo.apply",
          creditMemoId: "cm-new",
          date: "2026-03-06",
          applications: [{ id: "a-cm", documentId: "inv-103", amount: "100.00" }],
        },
      ]),
    );
    const [memo] = effectsOf(p, "document.insert").map((e) => e.document);
    expect(memo).toMatchObject({ type: "creditMemo", dueDate: "2026-03-05", terms: null });
    expect(applicationsOf(p)).toEqual([
      {
        id: "a-cm",
        source: "creditMemo:cm-new",
        documentId: "inv-103",
        date: "2026-03-06",
        amount: "100.00",
        discount: "0.00",
        writeOff: "0.00",
        writeOffReason: null,
        reversesId: null,
      },
    ]);
    // Only the memo's own journal: the application is AR to AR.
    expect(journalsOf(p)).toEqual({
      "creditMemo:cm-new": [
        "2026-03-05",
        [
          ["4100", "100.00", "0.00"],
          ["1200", "0.00", "100.00"],
        ],
      ],
    });
    expect(balancesOf(p)).toEqual({
      "document:inv-103": { baseVersion: 1, delta: "-100.00", activityDate: "2026-03-06" },
      "document:cm-new": { baseVersion: null, delta: "-100.00", activityDate: "2026-03-06" },
    });
    expect(p.results.map((r) => [r.op, r.id])).toEqual([
      ["creditMemo.create", "cm-new"],
      ["creditMemo.apply", "cm-new"],
    ]);
  });

  it("a credit memo earns no early-payment discount", () => {
    const error = onlyError(
      plan([
        {
          op: "creditMemo.apply",
          creditMemoId: "cm-9",
          date: "2026-03-05",
          applications: [{ documentId: "inv-101", amount: "40.00", discount: "0.80" }],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.discount", code: "discount_not_allowed" });
  });

  it("cannot apply more than the memo has open", () => {
    const error = onlyError(
      plan([
        {
          op: "creditMemo.apply",
          creditMemoId: "cm-9",
          date: "2026-03-05",
          applications: [{ documentId: "inv-103", amount: "50.01" }],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.amount", code: "exceeds_unapplied" });
  });

  it("refuses an invoice named as the credit memo", () => {
    const error = onlyError(
      plan([
        {
          op: "creditMemo.apply",
          creditMemoId: "inv-101",
          date: "2026-03-05",
          applications: [{ documentId: "inv-103", amount: "1.00" }],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "creditMemoId", code: "not_applicable" });
  });
});

describe("reversals", () => {
  it("application.reverse restores both balances and posts the application's journal swapped", () => {
    const p = planned(
      plan([
        {
          op: "application.reverse",
          id: "rev-1",
          applicationId: "a-old",
          date: "2026-03-09",
          reason: "wrong customer",
        },
      ]),
    );
    expect(applicationsOf(p)).toEqual([
      {
        id: "rev-1",
        source: "receipt:r-old",
        documentId: "inv-102",
        date: "2026-03-09",
        amount: "-200.00",
        discount: "0.00",
        writeOff: "0.00",
        writeOffReason: "wrong customer",
        reversesId: "a-old",
      },
    ]);
    expect(balancesOf(p)).toEqual({
      "document:inv-102": { baseVersion: 2, delta: "200.00", activityDate: "2026-03-09" },
      "receipt:r-old": { baseVersion: 2, delta: "200.00", activityDate: "2026-03-09" },
    });
    // 300.00 + 200.00 = the invoice's full 500.00 open again; the receipt's 200.00 unapplied again.
    expect(after(p, "document:inv-102", INV_102.open)).toBe("500.00");
    expect(after(p, "receipt:r-old", R_OLD.unapplied)).toBe("200.00");
    // The application posted DR unapplied / CR AR 200.00; its reversal DR AR / CR unapplied.
    expect(journalsOf(p)).toEqual({
      "applicationReversal:rev-1": [
        "2026-03-09",
        [
          ["1200", "200.00", "0.00"],
          ["2050", "0.00", "200.00"],
        ],
      ],
    });
  });

  it("reversing an application with a discount and a write-off reopens all three parts", () => {
    const p = planned(
      plan([
        receiptCreate({
          amount: "275.00",
          applications: [
            { id: "a-x", documentId: "inv-104", amount: "245.00", writeOff: "5.00", writeOffReason: "freight" },
          ],
        }),
        {
          op: "application.reverse",
          id: "rev-x",
          applicationId: "a-x",
          date: "2026-03-10",
          reason: "posted to wrong invoice",
        },
      ]),
    );
    // Applied 245.00 + 5.00 = 250.00 and reversed: net zero on INV-104, the receipt back to 275.00 unapplied.
    expect(balancesOf(p)).toEqual({
      "document:inv-104": { baseVersion: 3, delta: "0.00", activityDate: "2026-03-10" },
      "receipt:r-new": { baseVersion: null, delta: "0.00", activityDate: "2026-03-10" },
    });
    expect(journalsOf(p)["applicationReversal:rev-x"]).toEqual([
      "2026-03-10",
      [
        ["1200", "245.00", "0.00"],
        ["2050", "0.00", "245.00"],
        ["1200", "5.00", "0.00"],
        ["6100", "0.00", "5.00"],
      ],
    ]);
  });

  it("receipt.reverse (NSF) reverses every active application and zeroes what was unapplied", () => {
    // r-nsf: 250.00 received, 100.00 + 50.00 applied to INV-104, 100.00 unapplied.
    const p = planned(
      plan([
        {
          op: "receipt.reverse",
          id: "nsf-1",
          receiptId: "r-nsf",
          receiptVersion: 3,
          date: "2026-03-09",
          reason: "NSF",
        },
      ]),
    );
    expect(applicationsOf(p)).toEqual([
      {
        id: "nsf-1:0:0",
        source: "receipt:r-nsf",
        documentId: "inv-104",
        date: "2026-03-09",
        amount: "-100.00",
        discount: "0.00",
        writeOff: "0.00",
        writeOffReason: "NSF",
        reversesId: "a-nsf1",
      },
      {
        id: "nsf-1:0:1",
        source: "receipt:r-nsf",
        documentId: "inv-104",
        date: "2026-03-09",
        amount: "-50.00",
        discount: "0.00",
        writeOff: "0.00",
        writeOffReason: "NSF",
        reversesId: "a-nsf2",
      },
    ]);
    expect(effectsOf(p, "receiptReversal.insert").map((e) => e.reversal)).toEqual([
      { id: "nsf-1", receiptId: "r-nsf", date: "2026-03-09", reason: "NSF" },
    ]);
    // Receipt: +100.00 +50.00 back from the applications, then −250.00 returned: −100.00 net.
    expect(balancesOf(p)).toEqual({
      "document:inv-104": { baseVersion: 3, delta: "150.00", activityDate: "2026-03-09" },
      "receipt:r-nsf": { baseVersion: 3, delta: "-100.00", activityDate: "2026-03-09", reversed: true },
    });
    expect(after(p, "receipt:r-nsf", R_NSF.unapplied)).toBe("0.00");
    expect(after(p, "document:inv-104", INV_104.open)).toBe("400.00");
    expect(journalsOf(p)).toEqual({
      "applicationReversal:nsf-1:0:0": [
        "2026-03-09",
        [
          ["1200", "100.00", "0.00"],
          ["2050", "0.00", "100.00"],
        ],
      ],
      "applicationReversal:nsf-1:0:1": [
        "2026-03-09",
        [
          ["1200", "50.00", "0.00"],
          ["2050", "0.00", "50.00"],
        ],
      ],
      "receiptReversal:nsf-1": [
        "2026-03-09",
        [
          ["2050", "250.00", "0.00"],
          ["1000", "0.00", "250.00"],
        ],
      ],
    });
    // Unapplied cash: +100.00 +50.00 credited back, 250.00 debited: −100.00, the receipt's change.
  });

  it("receipt.reverse of a receipt with nothing applied only returns the cash", () => {
    const p = planned(
      plan([{ op: "receipt.reverse", id: "nsf-2", receiptId: "r-open", date: "2026-03-09", reason: "returned" }]),
    );
    expect(applicationsOf(p)).toEqual([]);
    expect(balancesOf(p)).toEqual({
      "receipt:r-open": { baseVersion: 1, delta: "-300.00", activityDate: "2026-03-09", reversed: true },
    });
    expect(journalsOf(p)).toEqual({
      "receiptReversal:nsf-2": [
        "2026-03-09",
        [
          ["2050", "300.00", "0.00"],
          ["1000", "0.00", "300.00"],
        ],
      ],
    });
  });

  it("a receipt created, applied and returned in one change set nets to nothing", () => {
    const p = planned(
      plan([
        receiptCreate({ amount: "100.00", applications: [{ documentId: "inv-103", amount: "60.00" }] }),
        { op: "receipt.reverse", id: "nsf-3", receiptId: "r-new", date: "2026-03-10", reason: "NSF" },
      ]),
    );
    expect(balancesOf(p)).toEqual({
      "document:inv-103": { baseVersion: 1, delta: "0.00", activityDate: "2026-03-10" },
      "receipt:r-new": { baseVersion: null, delta: "-100.00", activityDate: "2026-03-10", reversed: true },
    });
  });

  it("refuses a receipt reversal dated before one of the receipt's applications", () => {
    // a-nsf2 is dated 2026-03-04; a return dated 2026-03-03 would reverse it before it happened.
    const error = onlyError(
      plan([{ op: "receipt.reverse", id: "nsf-1", receiptId: "r-nsf", date: "2026-03-03", reason: "NSF" }]),
    );
    expect(error).toMatchObject({ field: "date", code: "invalid_date" });
    expect(error.message).toContain('"a-nsf2"');
  });
});

describe("write-offs", () => {
  it("writeOff.create lowers the document and posts DR bad debt / CR AR", () => {
    const p = planned(
      plan([
        {
          op: "writeOff.create",
          id: "wo-1",
          documentId: "inv-103",
          documentVersion: 1,
          date: "2026-03-09",
          amount: "25.00",
          reason: "small balance",
        },
      ]),
    );
    expect(effectsOf(p, "writeOff.insert").map((e) => e.writeOff)).toEqual([
      {
        id: "wo-1",
        documentId: "inv-103",
        date: "2026-03-09",
        currency: "USD",
        amount: usd("25.00"),
        reason: "small balance",
      },
    ]);
    expect(balancesOf(p)).toEqual({
      "document:inv-103": { baseVersion: 1, delta: "-25.00", activityDate: "2026-03-09" },
    });
    expect(journalsOf(p)).toEqual({
      "writeOff:wo-1": [
        "2026-03-09",
        [
          ["6100", "25.00", "0.00"],
          ["1200", "0.00", "25.00"],
        ],
      ],
    });
  });

  it("a clerk may write off up to the limit inclusive (50.00), not a cent more; a controller may", () => {
    const writeOff = (amount: string): Op => ({
      op: "writeOff.create",
      id: "wo-1",
      documentId: "inv-103",
      date: "2026-03-09",
      amount,
      reason: "bad debt",
    });
    expect(plan([writeOff("50.00")]).ok).toBe(true);
    const error = onlyError(plan([writeOff("50.01")]));
    expect(error).toMatchObject({ field: "amount", code: "write_off_over_limit" });
    expect(error.message).toContain("a controller must approve it");
    expect(plan([writeOff("600.00")], { role: "controller" }).ok).toBe(true);
  });

  it("the clerk's limit is per document across the change set: 30.00 + 30.00 on one invoice is over 50.00", () => {
    const writeOff = (id: string, amount: string): Op => ({
      op: "writeOff.create",
      id,
      documentId: "inv-103",
      date: "2026-03-09",
      amount,
      reason: "bad debt",
    });
    expect(plan([writeOff("wo-1", "30.00"), writeOff("wo-2", "20.00")]).ok).toBe(true);
    const error = onlyError(plan([writeOff("wo-1", "30.00"), writeOff("wo-2", "30.00")]));
    expect(error).toMatchObject({ index: 1, field: "amount", code: "write_off_over_limit" });
    expect(error.message).toContain("come to 60.00");
    expect(plan([writeOff("wo-1", "30.00"), writeOff("wo-2", "30.00")], { role: "controller" }).ok).toBe(true);
  });

  it("the same limit holds for a write-off inside an application", () => {
    const op = receiptCreate({
      amount: "690.00",
      applications: [{ documentId: "inv-103", amount: "690.00", writeOff: "60.00", writeOffReason: "deduction" }],
    });
    expect(onlyError(plan([op]))).toMatchObject({ field: "applications.0.writeOff", code: "write_off_over_limit" });
    expect(plan([op], { role: "controller" }).ok).toBe(true);
  });

  it("refuses a write-off without a reason: in an application, and as blank text", () => {
    const op = receiptCreate({
      amount: "297.50",
      applications: [{ documentId: "inv-102", amount: "297.50", writeOff: "2.50" }],
    });
    expect(onlyError(plan([op]))).toMatchObject({
      field: "applications.0.writeOffReason",
      code: "write_off_reason_required",
    });
    const blank = {
      op: "writeOff.create",
      id: "wo-1",
      documentId: "inv-103",
      date: "2026-03-09",
      amount: "5.00",
      reason: "   ",
    };
    expect(onlyError(plan([blank]))).toMatchObject({ field: "reason", code: "write_off_reason_required" });
  });

  it("refuses writing off more than is open, a credit memo, or before the document date", () => {
    const base = { op: "writeOff.create", id: "wo-1", documentId: "inv-104", date: "2026-03-09", reason: "x" };
    expect(onlyError(plan([{ ...base, amount: "250.01" }], { role: "controller" }))).toMatchObject({
      field: "amount",
      code: "exceeds_open",
    });
    expect(onlyError(plan([{ ...base, documentId: "cm-9", amount: "1.00" }]))).toMatchObject({
      field: "documentId",
      code: "not_applicable",
    });
    expect(onlyError(plan([{ ...base, amount: "1.00", date: "2026-02-24" }]))).toMatchObject({
      field: "date",
      code: "invalid_date",
    });
  });
});

describe("notes, promises and disputes", () => {
  it("note.create plans a note on the customer and document, nothing else", () => {
    const p = planned(
      plan([
        {
          op: "note.create",
          id: "n-1",
          customerId: "C-1",
          documentId: "inv-101",
          kind: "call",
          body: "Left a voicemail",
        },
      ]),
    );
    expect(effectsOf(p, "note.insert").map((e) => e.note)).toEqual([
      {
        id: "n-1",
        customerId: "C-1",
        documentId: "inv-101",
        kind: "call",
        body: "Left a voicemail",
        promise: null,
        followUpDate: null,
      },
    ]);
    expect(p.balances).toEqual([]);
    expect(effectsOf(p, "journal")).toEqual([]);
    expect(p.touched).toEqual([{ entity: "note", id: "n-1" }]);
  });

  it("promise.create writes a promise note whose follow-up defaults to the promised date", () => {
    const p = planned(
      plan([
        {
          op: "promise.create",
          id: "p-1",
          customerId: "C-1",
          amount: "1250.00",
          currency: "USD",
          promisedDate: "2026-03-31",
        },
      ]),
    );
    expect(effectsOf(p, "note.insert").map((e) => e.note)).toEqual([
      {
        id: "p-1",
        customerId: "C-1",
        documentId: null,
        kind: "promise",
        body: "Promised 1,250.00 USD by 2026-03-31",
        promise: { amount: usd("1250.00"), date: "2026-03-31" },
        followUpDate: "2026-03-31",
      },
    ]);
  });

  it("refuses a note on another customer's document", () => {
    const error = onlyError(
      plan([{ op: "note.create", id: "n-1", customerId: "C-1", documentId: "inv-201", kind: "note", body: "x" }]),
    );
    expect(error).toMatchObject({ field: "documentId", code: "wrong_customer" });
  });

  it("dispute.open marks the document disputed without changing its balance", () => {
    const p = planned(
      plan([
        {
          op: "dispute.open",
          id: "dsp-new",
          documentId: "inv-101",
          documentVersion: 1,
          reasonCode: "pricing",
          amount: "100.00",
          note: "price list",
        },
      ]),
    );
    expect(effectsOf(p, "dispute.insert").map((e) => e.dispute)).toEqual([
      { id: "dsp-new", documentId: "inv-101", reasonCode: "pricing", amount: usd("100.00"), note: "price list" },
    ]);
    expect(balancesOf(p)).toEqual({
      "document:inv-101": { baseVersion: 1, delta: "0.00", activityDate: "2026-03-01", disputed: true },
    });
    expect(effectsOf(p, "journal")).toEqual([]);
  });

  it("refuses a second open dispute on the same document, in the change set or already in the ledger", () => {
    const open = (id: string, documentId: string): Op => ({
      op: "dispute.open",
      id,
      documentId,
      reasonCode: "quantity",
      amount: "10.00",
      note: "",
    });
    const error = onlyError(plan([open("dsp-a", "inv-101"), open("dsp-b", "inv-101")]));
    expect(error).toMatchObject({ index: 1, field: "documentId", code: "already_disputed" });
    expect(onlyError(plan([open("dsp-a", "inv-201")]))).toMatchObject({
      index: 0,
      field: "documentId",
      code: "already_disputed",
    });
  });

  it("refuses disputing a credit memo or more than the document's amount", () => {
    const base = { op: "dispute.open", id: "dsp-a", reasonCode: "other", note: "" };
    expect(onlyError(plan([{ ...base, documentId: "cm-9", amount: "1.00" }]))).toMatchObject({
      code: "not_applicable",
    });
    expect(onlyError(plan([{ ...base, documentId: "inv-101", amount: "1000.01" }]))).toMatchObject({
      field: "amount",
      code: "exceeds_amount",
    });
  });

  it("dispute.resolve closes the dispute and clears the document's flag", () => {
    const p = planned(
      plan([
        { op: "dispute.resolve", disputeId: "dsp-1", disputeVersion: 2, resolution: "credited", note: "CM to follow" },
      ]),
    );
    expect(effectsOf(p, "dispute.resolve")).toEqual([
      { kind: "dispute.resolve", disputeId: "dsp-1", baseVersion: 2, resolution: "credited", note: "CM to follow" },
    ]);
    expect(balancesOf(p)).toEqual({
      "document:inv-201": { baseVersion: 2, delta: "0.00", activityDate: "2026-02-01", disputed: false },
    });
  });

  it("a dispute resolved in the change set can be followed by a new one; a resolved one cannot be resolved again", () => {
    const p = planned(
      plan([
        { op: "dispute.resolve", disputeId: "dsp-1", resolution: "rejected", note: "" },
        {
          op: "dispute.open",
          id: "dsp-2",
          documentId: "inv-201",
          reasonCode: "notReceived",
          amount: "400.00",
          note: "",
        },
      ]),
    );
    expect(balancesOf(p)["document:inv-201"]).toMatchObject({ disputed: true });
    const error = onlyError(plan([{ op: "dispute.resolve", disputeId: "dsp-old", resolution: "paid", note: "" }]));
    expect(error).toMatchObject({ field: "disputeId", code: "already_resolved" });
    expect(
      onlyError(plan([{ op: "dispute.resolve", disputeId: "dsp-404", resolution: "paid", note: "" }])),
    ).toMatchObject({
      field: "disputeId",
      code: "not_found",
    });
  });
});

describe("period.close", () => {
  it("a controller closes an ended period; later operations cannot post into it", () => {
    const p = planned(plan([{ op: "period.close", period: "2026-02" }], { role: "controller" }));
    expect(effectsOf(p, "period.close")).toEqual([{ kind: "period.close", period: "2026-02" }]);
    expect(p.touched).toEqual([{ entity: "period", id: "2026-02" }]);
    const error = onlyError(
      plan([{ op: "period.close", period: "2026-02" }, receiptCreate({ date: "2026-02-27", amount: "1.00" })], {
        role: "controller",
      }),
    );
    expect(error).toMatchObject({ index: 1, field: "date", code: "closed_period" });
  });

  it("refuses closing a period already closed or not yet ended", () => {
    expect(onlyError(plan([{ op: "period.close", period: "2026-01" }], { role: "controller" }))).toMatchObject({
      field: "period",
      code: "already_closed",
    });
    // Today is 2026-03-15: March has not ended, April has not begun.
    expect(onlyError(plan([{ op: "period.close", period: "2026-03" }], { role: "controller" }))).toMatchObject({
      field: "period",
      code: "period_not_ended",
    });
    expect(onlyError(plan([{ op: "period.close", period: "2026-04" }], { role: "admin" }))).toMatchObject({
      code: "period_not_ended",
    });
  });
});

describe("customer.upsert", () => {
  const upsert = (spec: Op): Op => ({
    op: "customer.upsert",
    id: "C-9",
    number: "1009",
    name: "Nova",
    currency: "USD",
    terms: "NET 45",
    ...spec,
  });

  it("inserts a new customer with parsed terms", () => {
    const p = planned(
      plan([upsert({ creditLimit: "5000.00", contacts: [{ name: "Ann", email: "ann@example.com" }] })]),
    );
    const [insert] = effectsOf(p, "customer.insert");
    expect(insert?.customer).toMatchObject({
      id: "C-9",
      number: "1009",
      terms: { code: "NET 45", netDays: 45 },
      collector: null,
      onHold: false,
      contacts: [{ name: "Ann", email: "ann@example.com" }],
    });
    expect(insert?.customer.creditLimit?.toString()).toBe("5000.00");
  });

  it("a new customer can be invoiced in the same change set on its own terms", () => {
    const p = planned(plan([upsert({}), invoiceCreate({ customerId: "C-9" })]));
    // NET 45 from 2026-03-02: 29 days to 03-31, 16 more: 2026-04-16.
    expect(effectsOf(p, "document.insert")[0]?.document.dueDate).toBe("2026-04-16");
  });

  it("updates an existing customer at the version the client saw", () => {
    const p = planned(
      plan([upsert({ id: "C-1", number: "1001", name: "Acme Corporation", terms: "2/10 NET 30", baseVersion: 3 })]),
    );
    expect(effectsOf(p, "customer.update").map((e) => [e.customer.name, e.baseVersion])).toEqual([
      ["Acme Corporation", 3],
    ]);
  });

  it("refuses an update without baseVersion", () => {
    expect(onlyError(plan([upsert({ id: "C-1", number: "1001" })]))).toMatchObject({
      field: "baseVersion",
      code: "version_required",
    });
  });

  it("refuses changing a customer's currency", () => {
    expect(onlyError(plan([upsert({ id: "C-1", number: "1001", currency: "EUR", baseVersion: 3 })]))).toMatchObject({
      field: "currency",
      code: "immutable",
    });
  });

  it("refuses a customer number already used: by a customer not loaded, by a loaded one, or earlier in the change set", () => {
    expect(onlyError(plan([upsert({ number: "2000" })]))).toMatchObject({ field: "number", code: "duplicate_number" });
    // C-2 is loaded (so the store leaves its number out of takenNumbers), yet 1002 is still its number.
    expect(onlyError(plan([upsert({ number: "1002" })]))).toMatchObject({ field: "number", code: "duplicate_number" });
    expect(onlyError(plan([upsert({}), upsert({ id: "C-10" })]))).toMatchObject({
      index: 1,
      field: "number",
      code: "duplicate_number",
    });
    // A renamed customer's new number is taken for the rest of the change set.
    const renamed = plan([upsert({ id: "C-1", number: "1500", baseVersion: 3 }), upsert({ number: "1500" })]);
    expect(onlyError(renamed)).toMatchObject({ index: 1, field: "number", code: "duplicate_number" });
  });

  it("refuses bad terms", () => {
    expect(onlyError(plan([upsert({ terms: "soon" })]))).toMatchObject({ field: "terms", code: "invalid_terms" });
  });
});

describe("rejections: each names the operation, field and code, and nothing is planned", () => {
  it("unknown customer", () => {
    const error = onlyError(plan([invoiceCreate({ customerId: "C-404", ref: "row-1" })]));
    expect(error).toEqual({
      index: 0,
      ref: "row-1",
      op: "invoice.create",
      field: "customerId",
      code: "not_found",
      message: 'customer "C-404" does not exist',
    });
  });

  it("unknown document: written off, and applied to", () => {
    expect(
      onlyError(
        plan([
          { op: "writeOff.create", id: "wo-1", documentId: "inv-404", date: "2026-03-09", amount: "1.00", reason: "x" },
        ]),
      ),
    ).toMatchObject({
      field: "documentId",
      code: "not_found",
    });
    const error = onlyError(
      plan([receiptCreate({ amount: "10.00", applications: [{ documentId: "inv-404", amount: "10.00" }] })]),
    );
    expect(error).toMatchObject({ field: "applications.0.documentId", code: "document_not_found" });
  });

  it("unknown receipt and unknown application", () => {
    expect(
      onlyError(
        plan([
          {
            op: "receipt.apply",
            receiptId: "r-404",
            date: "2026-03-09",
            applications: [{ documentId: "inv-101", amount: "1.00" }],
          },
        ]),
      ),
    ).toMatchObject({
      field: "receiptId",
      code: "not_found",
    });
    expect(
      onlyError(
        plan([{ op: "application.reverse", id: "rev-1", applicationId: "a-404", date: "2026-03-09", reason: "x" }]),
      ),
    ).toMatchObject({
      field: "applicationId",
      code: "not_found",
    });
  });

  it("duplicate new id: taken in the ledger (any table), or reused within the change set", () => {
    expect(onlyError(plan([invoiceCreate({ id: "inv-101" })]))).toMatchObject({ field: "id", code: "duplicate_id" });
    expect(
      onlyError(plan([{ op: "note.create", id: "note-1", customerId: "C-1", kind: "note", body: "x" }])),
    ).toMatchObject({ field: "id", code: "duplicate_id" });
    expect(onlyError(plan([receiptCreate({ id: "a-old", amount: "1.00" })]))).toMatchObject({
      field: "id",
      code: "duplicate_id",
    });
    const note = (ref: string): Op => ({
      op: "note.create",
      id: "n-1",
      ref,
      customerId: "C-1",
      kind: "note",
      body: "x",
    });
    expect(onlyError(plan([note("row-1"), note("row-2")]))).toMatchObject({
      index: 1,
      ref: "row-2",
      field: "id",
      code: "duplicate_id",
    });
    // An allocation's id too.
    const twice = receiptCreate({
      amount: "20.00",
      applications: [
        { id: "a-x", documentId: "inv-103", amount: "10.00" },
        { id: "a-x", documentId: "inv-104", amount: "10.00" },
      ],
    });
    expect(onlyError(plan([twice]))).toMatchObject({ field: "applications.1.id", code: "duplicate_id" });
  });

  it("duplicate document number: in the ledger, among rows not loaded, and within the change set; per document type", () => {
    expect(onlyError(plan([invoiceCreate({ number: "INV-101" })]))).toMatchObject({
      field: "number",
      code: "duplicate_number",
    });
    expect(onlyError(plan([invoiceCreate({ number: "INV-900" })]))).toMatchObject({
      field: "number",
      code: "duplicate_number",
    });
    expect(onlyError(plan([invoiceCreate({}), invoiceCreate({ id: "inv-new-2" })]))).toMatchObject({
      index: 1,
      field: "number",
      code: "duplicate_number",
    });
    // A credit memo may carry an invoice's number: numbers are unique per document type.
    expect(
      plan([
        {
          op: "creditMemo.create",
          id: "cm-x",
          customerId: "C-1",
          number: "INV-101",
          documentDate: "2026-03-05",
          amount: "1.00",
        },
      ]).ok,
    ).toBe(true);
  });

  it("over-application of a document", () => {
    // r-open has 300.00; INV-104 has 250.00 open.
    const error = onlyError(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", amount: "250.01" }],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.amount", code: "exceeds_open" });
    expect(error.message).toContain("more than its open 250.00");
  });

  it("a discount counts toward over-application", () => {
    // INV-101 is 1,000.00 open: 990.00 + 20.00 discount = 1,010.00.
    const error = onlyError(
      plan([
        receiptCreate({
          amount: "990.00",
          applications: [{ documentId: "inv-101", amount: "990.00", discount: "20.00" }],
        }),
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.amount", code: "exceeds_open" });
  });

  it("over-application of a receipt", () => {
    // 200.00 + 150.00 = 350.00 from r-open's 300.00.
    const error = onlyError(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [
            { documentId: "inv-103", amount: "200.00" },
            { documentId: "inv-101", amount: "150.00" },
          ],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "applications.1.amount", code: "exceeds_unapplied" });
    expect(error.message).toContain("350.00");
  });

  it("a discount larger than the terms allow", () => {
    // 2% of INV-101's 1,000.00 open is 20.00.
    const error = onlyError(
      plan([
        receiptCreate({
          amount: "975.00",
          applications: [{ documentId: "inv-101", amount: "975.00", discount: "25.00" }],
        }),
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.discount", code: "discount_not_allowed" });
    expect(error.message).toContain("allows at most 20.00");
  });

  it("a discount after the window (2026-03-11), unless grace days cover it", () => {
    const op = receiptCreate({
      date: "2026-03-12",
      amount: "980.00",
      applications: [{ documentId: "inv-101", amount: "980.00", discount: "20.00" }],
    });
    const error = onlyError(plan([op]));
    expect(error).toMatchObject({ field: "applications.0.discount", code: "discount_not_allowed" });
    expect(error.message).toContain("after INV-101's discount deadline 2026-03-11");
    expect(plan([op], { graceDays: 1 }).ok).toBe(true);
  });

  it("a discount is judged by the receipt's date, not by when the receipt is applied", () => {
    // Received 2026-03-10 (inside the window), applied 2026-03-14 (after it): the customer paid in time.
    const early = aWorldReceipt({ id: "r-early", customerId: "C-1", date: "2026-03-10", amount: "980.00" });
    const world = aWorld({ ...BASE, receipts: [...(BASE.receipts ?? []), early] });
    const p = planned(
      plan(
        [
          {
            op: "receipt.apply",
            receiptId: "r-early",
            date: "2026-03-14",
            applications: [{ documentId: "inv-101", amount: "980.00", discount: "20.00" }],
          },
        ],
        { world },
      ),
    );
    expect(balancesOf(p)["document:inv-101"]).toEqual({
      baseVersion: 1,
      delta: "-1000.00",
      activityDate: "2026-03-14",
    });
  });

  it("a viewer may not post anything", () => {
    const error = onlyError(
      plan([{ op: "note.create", id: "n-1", customerId: "C-1", kind: "note", body: "x" }], { role: "viewer" }),
    );
    expect(error).toMatchObject({ field: "op", code: "forbidden" });
    expect(error.message).toBe("role viewer may not post changes");
    expect(onlyError(plan([receiptCreate({ amount: "1.00" })], { role: "viewer" }))).toMatchObject({
      code: "forbidden",
    });
  });

  it("a clerk may not close a period", () => {
    expect(onlyError(plan([{ op: "period.close", period: "2026-02" }]))).toMatchObject({
      field: "op",
      code: "forbidden",
    });
  });

  describe("nothing posts into a closed period", () => {
    const closed = aWorld({ ...BASE, closedPeriods: ["2026-01", "2026-02"] });
    const cases: [string, Op, string][] = [
      ["a document", invoiceCreate({ documentDate: "2026-02-27" }), "documentDate"],
      ["a receipt", receiptCreate({ date: "2026-02-27", amount: "1.00" }), "date"],
      [
        "an application",
        {
          op: "receipt.apply",
          receiptId: "r-old",
          date: "2026-02-20",
          applications: [{ documentId: "inv-103", amount: "1.00" }],
        },
        "date",
      ],
      [
        "an application reversal",
        { op: "application.reverse", id: "rev-1", applicationId: "a-old", date: "2026-02-28", reason: "x" },
        "date",
      ],
      [
        "a receipt reversal",
        { op: "receipt.reverse", id: "nsf-1", receiptId: "r-old", date: "2026-02-28", reason: "NSF" },
        "date",
      ],
      [
        "a write-off",
        { op: "writeOff.create", id: "wo-1", documentId: "inv-103", date: "2026-02-25", amount: "1.00", reason: "x" },
        "date",
      ],
    ];
    it.each(cases)("refuses %s", (_what, op, field) => {
      const error = onlyError(plan([op], { world: closed }));
      expect(error).toMatchObject({ field, code: "closed_period" });
      expect(error.message).toContain("which is closed");
    });
  });

  it("a future-dated receipt, application or write-off", () => {
    expect(onlyError(plan([receiptCreate({ date: "2026-03-16", amount: "1.00" })]))).toMatchObject({
      field: "date",
      code: "future_date",
    });
    expect(
      onlyError(
        plan([
          {
            op: "receipt.apply",
            receiptId: "r-open",
            date: "2026-03-16",
            applications: [{ documentId: "inv-103", amount: "1.00" }],
          },
        ]),
      ),
    ).toMatchObject({
      field: "date",
      code: "future_date",
    });
    expect(
      onlyError(
        plan([
          { op: "writeOff.create", id: "wo-1", documentId: "inv-103", date: "2026-03-16", amount: "1.00", reason: "x" },
        ]),
      ),
    ).toMatchObject({
      field: "date",
      code: "future_date",
    });
  });

  it("an application dated before its receipt, or before its credit memo", () => {
    const error = onlyError(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-01",
          applications: [{ documentId: "inv-103", amount: "1.00" }],
        },
      ]),
    );
    expect(error).toMatchObject({ field: "date", code: "invalid_date" });
    expect(error.message).toContain("before the receipt date 2026-03-02");
    expect(
      onlyError(
        plan([
          {
            op: "creditMemo.apply",
            creditMemoId: "cm-9",
            date: "2026-02-24",
            applications: [{ documentId: "inv-103", amount: "1.00" }],
          },
        ]),
      ),
    ).toMatchObject({
      field: "date",
      code: "invalid_date",
    });
  });

  it("an application dated before its document: it would settle, as of that date, a document that does not exist yet", () => {
    // r-open was received 2026-03-02; an invoice dated 2026-03-05 can take it from 2026-03-05 on.
    const invoice = invoiceCreate({ documentDate: "2026-03-05", amount: "100.00" });
    const apply = (date: string): Op => ({
      op: "receipt.apply",
      receiptId: "r-open",
      date,
      applications: [{ documentId: "inv-new", amount: "100.00" }],
    });
    const error = onlyError(plan([invoice, apply("2026-03-04")]));
    expect(error).toMatchObject({ index: 1, field: "date", code: "invalid_date" });
    expect(error.message).toContain("before INV-2001's document date 2026-03-05");
    expect(plan([invoice, apply("2026-03-05")]).ok).toBe(true);
  });

  it("reversing an already reversed application, a reversal row, or the same application twice", () => {
    const reverse = (applicationId: string, id = "rev-1"): Op => ({
      op: "application.reverse",
      id,
      applicationId,
      date: "2026-03-09",
      reason: "x",
    });
    expect(onlyError(plan([reverse("a-gone")]))).toMatchObject({ field: "applicationId", code: "already_reversed" });
    expect(onlyError(plan([reverse("a-gone-rev")]))).toMatchObject({ field: "applicationId", code: "not_applicable" });
    expect(onlyError(plan([reverse("a-old"), reverse("a-old", "rev-2")]))).toMatchObject({
      index: 1,
      code: "already_reversed",
    });
    // Reversing an application a receipt reversal already reversed.
    expect(
      onlyError(
        plan([
          { op: "receipt.reverse", id: "nsf-1", receiptId: "r-nsf", date: "2026-03-09", reason: "NSF" },
          reverse("a-nsf1"),
        ]),
      ),
    ).toMatchObject({
      index: 1,
      code: "already_reversed",
    });
    expect(onlyError(plan([{ ...reverse("a-old"), date: "2026-02-09" }]))).toMatchObject({
      field: "date",
      code: "invalid_date",
    });
  });

  it("applying or reversing a reversed receipt", () => {
    const apply: Op = {
      op: "receipt.apply",
      receiptId: "r-done",
      date: "2026-03-09",
      applications: [{ documentId: "inv-103", amount: "1.00" }],
    };
    expect(onlyError(plan([apply]))).toMatchObject({ field: "receiptId", code: "reversed" });
    expect(
      onlyError(plan([{ op: "receipt.reverse", id: "nsf-9", receiptId: "r-done", date: "2026-03-09", reason: "x" }])),
    ).toMatchObject({
      field: "receiptId",
      code: "already_reversed",
    });
    const returnedThenApplied = plan([
      { op: "receipt.reverse", id: "nsf-1", receiptId: "r-open", date: "2026-03-09", reason: "NSF" },
      { ...apply, receiptId: "r-open" },
    ]);
    expect(onlyError(returnedThenApplied)).toMatchObject({ index: 1, field: "receiptId", code: "reversed" });
  });

  it("currency mismatch between receipt and invoice", () => {
    const error = onlyError(
      plan([
        receiptCreate({ currency: "EUR", amount: "10.00", applications: [{ documentId: "inv-101", amount: "10.00" }] }),
      ]),
    );
    expect(error).toMatchObject({ field: "applications.0.documentId", code: "currency_mismatch" });
    expect(error.message).toContain("INV-101 is in USD");
  });

  it("applying a receipt to another customer's invoice", () => {
    const error = onlyError(
      plan([receiptCreate({ amount: "10.00", applications: [{ documentId: "inv-201", amount: "10.00" }] })]),
    );
    expect(error).toMatchObject({ field: "applications.0.documentId", code: "wrong_customer" });
  });

  it("reports every problem of one operation's allocations as its own error", () => {
    const { errors, conflicts } = refused(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          ref: "row-4",
          date: "2026-03-09",
          applications: [
            { documentId: "inv-104", amount: "260.00" },
            { documentId: "inv-102", amount: "10.00", writeOff: "1.00" },
          ],
        },
      ]),
    );
    expect(conflicts).toEqual([]);
    expect(errors.map((e) => [e.index, e.ref, e.field, e.code])).toEqual([
      [0, "row-4", "applications.0.amount", "exceeds_open"],
      [0, "row-4", "applications.1.writeOffReason", "write_off_reason_required"],
    ]);
  });
});

describe("conflicts: a stale version is a conflict with the server's state, not an error", () => {
  it("a stale documentVersion lists expected and current version and the document as stored", () => {
    const { errors, conflicts } = refused(
      plan([
        {
          op: "writeOff.create",
          ref: "row-1",
          id: "wo-1",
          documentId: "inv-104",
          documentVersion: 1,
          date: "2026-03-09",
          amount: "5.00",
          reason: "x",
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect(conflicts).toEqual([
      {
        index: 0,
        ref: "row-1",
        entity: "document",
        id: "inv-104",
        expectedVersion: 1,
        currentVersion: 3,
        current: {
          id: "inv-104",
          type: "invoice",
          number: "INV-104",
          customerId: "C-1",
          currency: "USD",
          amount: "400.00",
          open: "250.00",
          dueDate: "2026-03-27",
          disputed: false,
          version: 3,
        },
      },
    ]);
  });

  it("a stale documentVersion in an allocation or on a dispute", () => {
    const apply = plan([
      {
        op: "receipt.apply",
        receiptId: "r-open",
        date: "2026-03-09",
        applications: [{ documentId: "inv-102", documentVersion: 1, amount: "10.00" }],
      },
    ]);
    expect(refused(apply).conflicts).toEqual([
      expect.objectContaining({ entity: "document", id: "inv-102", expectedVersion: 1, currentVersion: 2 }),
    ]);
    expect(refused(apply).errors).toEqual([]);
    const dispute = plan([
      {
        op: "dispute.open",
        id: "dsp-a",
        documentId: "inv-104",
        documentVersion: 2,
        reasonCode: "pricing",
        amount: "1.00",
        note: "",
      },
    ]);
    expect(refused(dispute).conflicts).toEqual([
      expect.objectContaining({ entity: "document", id: "inv-104", expectedVersion: 2, currentVersion: 3 }),
    ]);
  });

  it("the conflict shows the stored row even when an earlier operation of the change set changed it", () => {
    // Operation 0 applies 100.00 to INV-104 (open 250.00 → 150.00 in the plan); the server still has 250.00.
    const { conflicts } = refused(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", documentVersion: 3, amount: "100.00" }],
        },
        {
          op: "writeOff.create",
          id: "wo-1",
          documentId: "inv-104",
          documentVersion: 2,
          date: "2026-03-09",
          amount: "5.00",
          reason: "x",
        },
      ]),
    );
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ index: 1, expectedVersion: 2, currentVersion: 3 });
    expect(conflicts[0]?.current).toMatchObject({ open: "250.00", version: 3 });
  });

  it("a stale receiptVersion", () => {
    const { errors, conflicts } = refused(
      plan([
        {
          op: "receipt.apply",
          receiptId: "r-nsf",
          receiptVersion: 2,
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", amount: "10.00" }],
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect(conflicts).toEqual([
      {
        index: 0,
        ref: null,
        entity: "receipt",
        id: "r-nsf",
        expectedVersion: 2,
        currentVersion: 3,
        current: {
          id: "r-nsf",
          customerId: "C-1",
          date: "2026-03-03",
          currency: "USD",
          amount: "250.00",
          unapplied: "100.00",
          reference: "CHK 7781",
          reversed: false,
          version: 3,
        },
      },
    ]);
    const reverse = refused(
      plan([
        {
          op: "receipt.reverse",
          id: "nsf-1",
          receiptId: "r-nsf",
          receiptVersion: 1,
          date: "2026-03-09",
          reason: "NSF",
        },
      ]),
    );
    expect(reverse.conflicts).toEqual([
      expect.objectContaining({ entity: "receipt", expectedVersion: 1, currentVersion: 3 }),
    ]);
    expect(reverse.errors).toEqual([]);
  });

  it("a stale disputeVersion", () => {
    const { errors, conflicts } = refused(
      plan([{ op: "dispute.resolve", disputeId: "dsp-1", disputeVersion: 1, resolution: "paid", note: "" }]),
    );
    expect(errors).toEqual([]);
    expect(conflicts).toEqual([
      {
        index: 0,
        ref: null,
        entity: "dispute",
        id: "dsp-1",
        expectedVersion: 1,
        currentVersion: 2,
        current: { id: "dsp-1", status: "open", version: 2 },
      },
    ]);
  });

  it("a stale customer baseVersion", () => {
    const { errors, conflicts } = refused(
      plan([
        {
          op: "customer.upsert",
          id: "C-1",
          number: "1001",
          name: "Acme",
          currency: "USD",
          terms: "NET 30",
          baseVersion: 2,
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect(conflicts).toEqual([
      {
        index: 0,
        ref: null,
        entity: "customer",
        id: "C-1",
        expectedVersion: 2,
        currentVersion: 3,
        current: {
          id: "C-1",
          number: "1001",
          name: "Acme Corp",
          currency: "USD",
          terms: "2/10 NET 30",
          collector: null,
          onHold: false,
          version: 3,
        },
      },
    ]);
  });

  it("a stated version on a row created in the same change set is not a conflict", () => {
    const p = planned(
      plan([
        receiptCreate({ amount: "100.00" }),
        {
          op: "receipt.apply",
          receiptId: "r-new",
          receiptVersion: 1,
          date: "2026-03-09",
          applications: [{ documentId: "inv-103", amount: "100.00" }],
        },
      ]),
    );
    expect(balancesOf(p)["receipt:r-new"]).toMatchObject({ baseVersion: null, delta: "-100.00" });
  });
});

describe("independence of operations", () => {
  it("reports every failing operation, and none of the good ones", () => {
    const { errors, conflicts } = refused(
      plan([
        invoiceCreate({ customerId: "C-404", ref: "a" }),
        { op: "note.create", id: "n-1", ref: "b", customerId: "C-1", kind: "note", body: "fine" },
        {
          op: "receipt.apply",
          ref: "c",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", amount: "299.00" }],
        },
        {
          op: "writeOff.create",
          ref: "d",
          id: "wo-1",
          documentId: "inv-103",
          date: "2026-03-09",
          amount: "5.00",
          reason: "fine",
        },
        {
          op: "writeOff.create",
          ref: "e",
          id: "wo-2",
          documentId: "inv-104",
          documentVersion: 1,
          date: "2026-03-09",
          amount: "5.00",
          reason: "stale",
        },
      ]),
    );
    expect(errors.map((e) => [e.index, e.ref, e.code])).toEqual([
      [0, "a", "not_found"],
      [2, "c", "exceeds_open"],
    ]);
    expect(conflicts.map((c) => [c.index, c.ref])).toEqual([[4, "e"]]);
  });

  it("a failed operation leaves no trace: its id, its allocations and its receipt are free for later operations", () => {
    // Operation 0 would apply 500.00 to INV-103 but fails on its second allocation; nothing of it may remain,
    // or operation 1 (the same receipt id, 750.00 to INV-103) would see a taken id and only 250.00 open.
    const result = plan([
      receiptCreate({
        id: "r-x",
        amount: "1000.00",
        applications: [
          { id: "a-x1", documentId: "inv-103", amount: "500.00" },
          { id: "a-x2", documentId: "inv-404", amount: "10.00" },
        ],
      }),
      receiptCreate({
        id: "r-x",
        amount: "750.00",
        applications: [{ id: "a-x1", documentId: "inv-103", amount: "750.00" }],
      }),
    ]);
    expect(onlyError(result)).toMatchObject({ index: 0, field: "applications.1.documentId" });
  });

  it("a failed receipt reversal leaves its applications active and the receipt usable", () => {
    const closedMarch = aWorld({ ...BASE, closedPeriods: ["2026-01"] });
    const result = plan(
      [
        // Fails: a-nsf2 (2026-03-04) is after the return date.
        { op: "receipt.reverse", id: "nsf-1", receiptId: "r-nsf", date: "2026-03-03", reason: "NSF" },
        { op: "application.reverse", id: "rev-1", applicationId: "a-nsf1", date: "2026-03-09", reason: "x" },
        {
          op: "receipt.apply",
          receiptId: "r-nsf",
          date: "2026-03-09",
          applications: [{ documentId: "inv-103", amount: "200.00" }],
        },
      ],
      { world: closedMarch },
    );
    // Only operation 0 fails: 1 finds a-nsf1 still active, 2 finds 100.00 + 100.00 = 200.00 unapplied and r-nsf not reversed.
    expect(onlyError(result)).toMatchObject({ index: 0, code: "invalid_date" });
  });

  it("a conflict leaves no trace either", () => {
    const result = plan([
      {
        op: "receipt.apply",
        receiptId: "r-open",
        receiptVersion: 9,
        date: "2026-03-09",
        applications: [{ documentId: "inv-103", amount: "300.00" }],
      },
      {
        op: "receipt.apply",
        receiptId: "r-open",
        date: "2026-03-09",
        applications: [{ documentId: "inv-103", amount: "300.00" }],
      },
    ]);
    const { errors, conflicts } = refused(result);
    expect(errors).toEqual([]);
    expect(conflicts.map((c) => c.index)).toEqual([0]);
  });

  it("does not change the world it was given", () => {
    const world = aWorld(BASE);
    planned(
      plan(
        [
          receiptCreate({ amount: "100.00", applications: [{ documentId: "inv-103", amount: "100.00" }] }),
          { op: "receipt.reverse", id: "nsf-1", receiptId: "r-nsf", date: "2026-03-09", reason: "NSF" },
          { op: "period.close", period: "2026-02" },
        ],
        { world, role: "controller" },
      ),
    );
    expect(world.documents.get("inv-103")?.open.toString()).toBe("750.00");
    expect(world.receipts.get("r-nsf")).toEqual(R_NSF);
    expect(world.activeApplicationsBySource.get("r-nsf")).toHaveLength(2);
    expect([...world.closedPeriods]).toEqual(["2026-01"]);
  });
});

describe("referencesOf", () => {
  it("lists every row the change set names, the ids it creates and the numbers it claims", () => {
    const refs = referencesOf(
      aChangeSet([
        { op: "customer.upsert", id: "C-9", number: "1009", name: "N", currency: "USD", terms: "NET 30" },
        invoiceCreate({}),
        receiptCreate({
          amount: "10.00",
          applications: [
            { documentId: "inv-101", amount: "5.00" },
            { id: "a-7", documentId: "inv-103", amount: "5.00" },
          ],
        }),
        {
          op: "receipt.apply",
          receiptId: "r-open",
          date: "2026-03-09",
          applications: [{ documentId: "inv-104", amount: "1.00" }],
        },
        {
          op: "creditMemo.apply",
          creditMemoId: "cm-9",
          date: "2026-03-09",
          applications: [{ documentId: "inv-102", amount: "1.00" }],
        },
        { op: "application.reverse", id: "rev-1", applicationId: "a-old", date: "2026-03-09", reason: "x" },
        { op: "receipt.reverse", id: "nsf-1", receiptId: "r-nsf", date: "2026-03-09", reason: "x" },
        { op: "writeOff.create", id: "wo-1", documentId: "inv-201", date: "2026-03-09", amount: "1.00", reason: "x" },
        { op: "note.create", id: "n-1", customerId: "C-2", documentId: "inv-301", kind: "note", body: "x" },
        { op: "dispute.resolve", disputeId: "dsp-1", resolution: "paid", note: "" },
        { op: "period.close", period: "2026-02" },
      ]),
    );
    const sorted = (s: Set<string>) => [...s].sort();
    expect(sorted(refs.customers)).toEqual(["C-1", "C-2", "C-9"]);
    expect(sorted(refs.documents)).toEqual(["cm-9", "inv-101", "inv-102", "inv-103", "inv-104", "inv-201", "inv-301"]);
    expect(sorted(refs.receipts)).toEqual(["r-nsf", "r-open"]);
    expect(sorted(refs.applications)).toEqual(["a-old"]);
    expect(sorted(refs.disputes)).toEqual(["dsp-1"]);
    expect(sorted(refs.newIds)).toEqual(
      [
        "inv-new",
        "r-new",
        `${DEFAULT_CHANGE_SET_ID}:2:0`,
        "a-7",
        `${DEFAULT_CHANGE_SET_ID}:3:0`,
        `${DEFAULT_CHANGE_SET_ID}:4:0`,
        "rev-1",
        "nsf-1",
        "wo-1",
        "n-1",
      ].sort(),
    );
    expect(sorted(refs.customerNumbers)).toEqual(["1009"]);
    expect(sorted(refs.documentNumbers)).toEqual(["invoice:INV-2001"]);
  });
});
