/**
 * Golden tables for aging. Every expected value below was worked out by hand
 * from the conventions in DESIGN.md ("Aging conventions"); the arithmetic is
 * in the comments. Dates were counted on a calendar, not with shared/dates.
 */
import { describe, expect, it } from "vitest";
import {
  ageOpenItems,
  agingBuckets,
  bucketFor,
  openItemsAsOf,
  parseAgingBasis,
  parseAgingEdges,
  summarizeAging,
  type AgedItem,
  type AgingBasis,
} from "../../shared/aging.js";
import { DomainError } from "../../shared/errors.js";
import type { LedgerSnapshot } from "../../shared/ledger.js";
import {
  aCreditMemo,
  aDebitMemo,
  aLedger,
  anApplication,
  anInvoice,
  aReceipt,
  aReceiptReversal,
  aReversalOf,
  aWriteOff,
  cur,
} from "../support/builders.js";

/** Open items as plain text, so tables compare exactly: [kind, id, open amount, currency]. */
function openOf(snapshot: LedgerSnapshot, asOf: string): [string, string, string, string][] {
  return openItemsAsOf(snapshot, { asOf }).map((i) => [i.kind, i.id, i.openAmount.toString(), i.currency]);
}

function aged(
  snapshot: LedgerSnapshot,
  asOf: string,
  basis: AgingBasis = "due",
  edges?: readonly number[],
): AgedItem[] {
  return ageOpenItems(
    openItemsAsOf(snapshot, { asOf }),
    edges === undefined ? { asOf, basis } : { asOf, basis, edges },
  );
}

function agedById(items: readonly AgedItem[]): Record<string, { days: number; bucket: string; open: string }> {
  return Object.fromEntries(
    items.map((i) => [i.id, { days: i.days, bucket: i.bucket, open: i.openAmount.toString() }]),
  );
}

function bucketsAsText(buckets: Readonly<Record<string, { toString(): string }>>): Record<string, string> {
  return Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, v.toString()]));
}

function expectDomainError(run: () => unknown, code: DomainError["code"], message?: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    if (message !== undefined) expect((error as DomainError).message).toMatch(message);
    return;
  }
  expect.fail(`expected a DomainError "${code}"`);
}

describe("agingBuckets", () => {
  it("derives the default due-basis buckets from the edges 30, 60, 90, 120", () => {
    expect(agingBuckets()).toEqual([
      { key: "current", label: "Current", minDays: null, maxDays: 0 },
      { key: "1-30", label: "1–30", minDays: 1, maxDays: 30 },
      { key: "31-60", label: "31–60", minDays: 31, maxDays: 60 },
      { key: "61-90", label: "61–90", minDays: 61, maxDays: 90 },
      { key: "91-120", label: "91–120", minDays: 91, maxDays: 120 },
      { key: "over-120", label: "Over 120", minDays: 121, maxDays: null },
    ]);
  });

  it("has no current bucket on the document basis: the first bucket starts at 0 days", () => {
    expect(agingBuckets([30, 60, 90, 120], "document").map((b) => b.key)).toEqual([
      "0-30",
      "31-60",
      "61-90",
      "91-120",
      "over-120",
    ]);
  });

  it("derives keys from custom edges", () => {
    expect(agingBuckets([15, 45], "due").map((b) => b.key)).toEqual(["current", "1-15", "16-45", "over-45"]);
    expect(agingBuckets([15, 45], "document").map((b) => b.key)).toEqual(["0-15", "16-45", "over-45"]);
    // A single edge still gives a bucket below and above it.
    expect(agingBuckets([7], "due").map((b) => b.key)).toEqual(["current", "1-7", "over-7"]);
  });
});

describe("bucketFor: both sides of every edge", () => {
  // Days → bucket, by reading the bucket ranges above.
  const dueTable: [number, string][] = [
    [-5, "current"],
    [0, "current"],
    [1, "1-30"],
    [30, "1-30"],
    [31, "31-60"],
    [60, "31-60"],
    [61, "61-90"],
    [90, "61-90"],
    [91, "91-120"],
    [120, "91-120"],
    [121, "over-120"],
    [10_000, "over-120"],
  ];
  it.each(dueTable)("due basis: %i days past due is %s", (days, key) => {
    expect(bucketFor(days, [30, 60, 90, 120], "due")).toBe(key);
  });

  const documentTable: [number, string][] = [
    [0, "0-30"],
    [30, "0-30"],
    [31, "31-60"],
    [60, "31-60"],
    [61, "61-90"],
    [90, "61-90"],
    [91, "91-120"],
    [120, "91-120"],
    [121, "over-120"],
  ];
  it.each(documentTable)("document basis: %i days old is %s", (days, key) => {
    expect(bucketFor(days, [30, 60, 90, 120], "document")).toBe(key);
  });

  const customTable: [number, AgingBasis, string][] = [
    [0, "due", "current"],
    [1, "due", "1-15"],
    [15, "due", "1-15"],
    [16, "due", "16-45"],
    [45, "due", "16-45"],
    [46, "due", "over-45"],
    [0, "document", "0-15"],
    [15, "document", "0-15"],
    [16, "document", "16-45"],
    [46, "document", "over-45"],
  ];
  it.each(customTable)("edges [15, 45]: %i days on basis %s is %s", (days, basis, key) => {
    expect(bucketFor(days, [15, 45], basis)).toBe(key);
  });

  it("rejects a negative age on the document basis and a fractional day count", () => {
    expectDomainError(() => bucketFor(-1, [30], "document"), "invalid_argument", /cannot be negative/);
    expectDomainError(() => bucketFor(1.5, [30], "due"), "invalid_argument", /whole number/);
  });
});

describe("input validation", () => {
  it("rejects bad edges with a message naming the position", () => {
    expectDomainError(() => parseAgingEdges([]), "invalid_argument", /at least one/);
    expectDomainError(() => parseAgingEdges([30, 30]), "invalid_argument", /edges\[1\].*strictly increasing/);
    expectDomainError(() => parseAgingEdges([60, 30]), "invalid_argument", /edges\[1\]/);
    expectDomainError(() => parseAgingEdges([0, 30]), "invalid_argument", /edges\[0\].*positive/);
    expectDomainError(() => parseAgingEdges([-30]), "invalid_argument", /positive/);
    expectDomainError(() => parseAgingEdges([30.5]), "invalid_argument", /whole number/);
    expectDomainError(() => parseAgingEdges(["30"]), "invalid_argument", /edges\[0\]/);
    expectDomainError(() => parseAgingEdges("30,abc"), "invalid_argument", /edges\[1\]: "abc"/);
    expectDomainError(() => parseAgingEdges(30), "invalid_argument");
    expectDomainError(() => agingBuckets([45, 15]), "invalid_argument");
    expectDomainError(() => bucketFor(3, [], "due"), "invalid_argument");
  });

  it("accepts edges as text, as a query string carries them", () => {
    expect(parseAgingEdges("30,60, 90,120")).toEqual([30, 60, 90, 120]);
    expect(parseAgingEdges([15, 45])).toEqual([15, 45]);
  });

  it("rejects an unknown basis", () => {
    expect(parseAgingBasis("document")).toBe("document");
    expectDomainError(() => parseAgingBasis("invoice"), "invalid_argument", /"invoice" is not an aging basis/);
    expectDomainError(() => ageOpenItems([], { asOf: "2026-06-30", basis: "aging" as AgingBasis }), "invalid_argument");
    expectDomainError(() => summarizeAging([], { basis: "aging" as AgingBasis }), "invalid_argument");
  });

  it("rejects a bad as-of date in every entry point", () => {
    expectDomainError(() => openItemsAsOf(aLedger(), { asOf: "2026-02-30" }), "invalid_date", /asOf/);
    expectDomainError(() => openItemsAsOf(aLedger(), { asOf: "30/06/2026" }), "invalid_date", /asOf/);
    expectDomainError(() => ageOpenItems([], { asOf: "2026-13-01" }), "invalid_date", /asOf/);
  });

  it("rejects an application in another currency than its document", () => {
    const invoice = anInvoice({ id: "inv-eur", currency: "EUR", amount: "100.00" });
    const receipt = aReceipt({ id: "rcpt-usd", currency: "USD", amount: "100.00" });
    const sameAsReceipt = anApplication({ from: receipt, to: invoice, amount: "100.00" });
    // The builder takes the document's currency; restate it as the receipt's.
    const application = { ...sameAsReceipt, currency: cur("USD") };
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [invoice], receipts: [receipt], applications: [application] }), {
          asOf: "2026-06-30",
        }),
      "currency_mismatch",
      /USD.*inv-eur.*EUR/,
    );
    // Same document currency, but the receipt is in USD: also a mismatch.
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [invoice], receipts: [receipt], applications: [sameAsReceipt] }), {
          asOf: "2026-06-30",
        }),
      "currency_mismatch",
      /rcpt-usd/,
    );
  });

  it("rejects rows that point at something missing from the snapshot", () => {
    const invoice = anInvoice({ id: "inv-1" });
    const receipt = aReceipt({ id: "rcpt-1" });
    const application = anApplication({ from: receipt, to: invoice, amount: "10.00" });
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [], receipts: [receipt], applications: [application] }), {
          asOf: "2026-06-30",
        }),
      "not_found",
      /inv-1/,
    );
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [invoice], receipts: [], applications: [application] }), {
          asOf: "2026-06-30",
        }),
      "not_found",
      /rcpt-1/,
    );
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ receiptReversals: [aReceiptReversal({ of: receipt, date: "2026-02-01" })] }), {
          asOf: "2026-06-30",
        }),
      "not_found",
    );
  });

  it("rejects applications that do not go from a receipt or credit memo to an invoice or debit memo", () => {
    const invoice = anInvoice({ id: "inv-1" });
    const credit = aCreditMemo({ id: "cm-1" });
    const receipt = aReceipt({ id: "rcpt-1" });
    const toCredit = anApplication({ from: receipt, to: credit, amount: "10.00" });
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [invoice, credit], receipts: [receipt], applications: [toCredit] }), {
          asOf: "2026-06-30",
        }),
      "invalid_argument",
      /cm-1/,
    );
    const fromInvoice = anApplication({ from: anInvoice({ id: "inv-2" }), to: invoice, amount: "10.00" });
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [invoice, anInvoice({ id: "inv-2" })], applications: [fromInvoice] }), {
          asOf: "2026-06-30",
        }),
      "invalid_argument",
      /inv-2/,
    );
  });

  it("rejects duplicate ids and items aged as of a date before they existed", () => {
    expectDomainError(
      () =>
        openItemsAsOf(aLedger({ documents: [anInvoice({ id: "x" }), anInvoice({ id: "x" })] }), { asOf: "2026-06-30" }),
      "invalid_argument",
      /"x" appears more than once/,
    );
    const items = openItemsAsOf(aLedger({ documents: [anInvoice({ id: "late", documentDate: "2026-06-30" })] }), {
      asOf: "2026-06-30",
    });
    expectDomainError(() => ageOpenItems(items, { asOf: "2026-06-29" }), "invalid_argument", /late.*2026-06-30/);
  });
});

describe("aging as of 2026-06-30, every edge on both sides", () => {
  // Due dates counted back from 2026-06-30 on a calendar (June has 30 days,
  // May 31, April 30, March 31):
  //   −5 → 07-05 | 0 → 06-30 | 1 → 06-29 | 30 → 05-31 | 31 → 05-30
  //   60 → 05-01 (05-01..05-31 is 30, ..06-30 another 30) | 61 → 04-30
  //   90 → 04-01 (04-01..05-01 is 30 more) | 91 → 03-31
  //   120 → 03-02 (03-02..04-01 is 30 more) | 121 → 03-01
  //   365 → 2025-06-30 (no 29 February between)
  const dueCases: [string, string, number, string][] = [
    ["due-m5", "2026-07-05", -5, "current"],
    ["due-0", "2026-06-30", 0, "current"],
    ["due-1", "2026-06-29", 1, "1-30"],
    ["due-30", "2026-05-31", 30, "1-30"],
    ["due-31", "2026-05-30", 31, "31-60"],
    ["due-60", "2026-05-01", 60, "31-60"],
    ["due-61", "2026-04-30", 61, "61-90"],
    ["due-90", "2026-04-01", 90, "61-90"],
    ["due-91", "2026-03-31", 91, "91-120"],
    ["due-120", "2026-03-02", 120, "91-120"],
    ["due-121", "2026-03-01", 121, "over-120"],
    ["due-365", "2025-06-30", 365, "over-120"],
  ];

  it("basis due: days past due and bucket per invoice", () => {
    const ledger = aLedger({
      documents: dueCases.map(([id, dueDate]) =>
        anInvoice({ id, documentDate: "2025-06-01", dueDate, amount: "10.00" }),
      ),
    });
    const result = agedById(aged(ledger, "2026-06-30", "due"));
    expect(result).toEqual(
      Object.fromEntries(dueCases.map(([id, , days, bucket]) => [id, { days, bucket, open: "10.00" }])),
    );
  });

  it("basis document: the same dates as document dates, due dates ignored", () => {
    const documentCases: [string, string, number, string][] = [
      ["doc-0", "2026-06-30", 0, "0-30"],
      ["doc-1", "2026-06-29", 1, "0-30"],
      ["doc-30", "2026-05-31", 30, "0-30"],
      ["doc-31", "2026-05-30", 31, "31-60"],
      ["doc-60", "2026-05-01", 60, "31-60"],
      ["doc-61", "2026-04-30", 61, "61-90"],
      ["doc-90", "2026-04-01", 90, "61-90"],
      ["doc-91", "2026-03-31", 91, "91-120"],
      ["doc-120", "2026-03-02", 120, "91-120"],
      ["doc-121", "2026-03-01", 121, "over-120"],
    ];
    const ledger = aLedger({
      // Due far in the future: on the document basis it must not matter.
      documents: documentCases.map(([id, documentDate]) =>
        anInvoice({ id, documentDate, dueDate: "2027-01-01", amount: "10.00" }),
      ),
    });
    const result = agedById(aged(ledger, "2026-06-30", "document"));
    expect(result).toEqual(
      Object.fromEntries(documentCases.map(([id, , days, bucket]) => [id, { days, bucket, open: "10.00" }])),
    );
  });

  it("custom edges [15, 45] on the due basis", () => {
    // 2026-06-30 minus 15 is 06-15, minus 16 is 06-14, minus 45 is 05-16
    // (05-16..05-31 is 15 days, ..06-30 another 30), minus 46 is 05-15.
    const ledger = aLedger({
      documents: [
        anInvoice({ id: "d15", documentDate: "2026-05-01", dueDate: "2026-06-15" }),
        anInvoice({ id: "d16", documentDate: "2026-05-01", dueDate: "2026-06-14" }),
        anInvoice({ id: "d45", documentDate: "2026-05-01", dueDate: "2026-05-16" }),
        anInvoice({ id: "d46", documentDate: "2026-05-01", dueDate: "2026-05-15" }),
      ],
    });
    const result = agedById(aged(ledger, "2026-06-30", "due", [15, 45]));
    expect(result).toEqual({
      d15: { days: 15, bucket: "1-15", open: "100.00" },
      d16: { days: 16, bucket: "16-45", open: "100.00" },
      d45: { days: 45, bucket: "16-45", open: "100.00" },
      d46: { days: 46, bucket: "over-45", open: "100.00" },
    });
  });
});

describe("leap day", () => {
  it("counts 29 February: as of 2028-03-01, due 2028-02-28 is 2 days past due", () => {
    const ledger = aLedger({
      documents: [anInvoice({ id: "leap", documentDate: "2028-01-29", dueDate: "2028-02-28" })],
    });
    expect(agedById(aged(ledger, "2028-03-01", "due"))).toEqual({ leap: { days: 2, bucket: "1-30", open: "100.00" } });
    // Document basis: 01-29..01-31 is 2 days, + 29 in February, + 1 = 32.
    expect(agedById(aged(ledger, "2028-03-01", "document"))).toEqual({
      leap: { days: 32, bucket: "31-60", open: "100.00" },
    });
  });

  it("and in a common year the same dates are 1 day apart", () => {
    const ledger = aLedger({
      documents: [anInvoice({ id: "common", documentDate: "2027-01-29", dueDate: "2027-02-28" })],
    });
    expect(agedById(aged(ledger, "2027-03-01", "due"))).toEqual({
      common: { days: 1, bucket: "1-30", open: "100.00" },
    });
  });
});

describe("open amount as of a date", () => {
  const invoice = anInvoice({ id: "inv", amount: "1000.00", documentDate: "2026-01-01", dueDate: "2026-01-31" });
  const receipt = aReceipt({ id: "rcpt", amount: "700.00", date: "2026-02-15", reference: "CHK 1001" });
  const payment = anApplication({ id: "app", from: receipt, to: invoice, amount: "600.00", date: "2026-02-15" });
  const reversal = aReversalOf(payment, "2026-03-10");

  it("before and after a payment", () => {
    const ledger = aLedger({ documents: [invoice], receipts: [receipt], applications: [payment] });
    // The day before: receipt not yet there, invoice untouched; 01-31 → 02-14 is 14 days.
    expect(agedById(aged(ledger, "2026-02-14"))).toEqual({ inv: { days: 14, bucket: "1-30", open: "1000.00" } });
    // On the day: 1000.00 − 600.00 = 400.00 open; 700.00 − 600.00 = 100.00 unapplied (negative).
    expect(openOf(ledger, "2026-02-15")).toEqual([
      ["invoice", "inv", "400.00", "USD"],
      ["unappliedCash", "rcpt", "-100.00", "USD"],
    ]);
  });

  it("before and after the payment is reversed", () => {
    const ledger = aLedger({ documents: [invoice], receipts: [receipt], applications: [payment, reversal] });
    expect(openOf(ledger, "2026-03-09")).toEqual([
      ["invoice", "inv", "400.00", "USD"],
      ["unappliedCash", "rcpt", "-100.00", "USD"],
    ]);
    // 600.00 + (−600.00) = 0 applied: invoice back to 1000.00, the whole 700.00 unapplied.
    // Unapplied cash ages from its receipt date: 02-15 → 02-28 is 13, + 10 = 23 days.
    expect(agedById(aged(ledger, "2026-03-10"))).toEqual({
      inv: { days: 38, bucket: "31-60", open: "1000.00" }, // 01-31 → 02-28 is 28, + 10 = 38
      rcpt: { days: 23, bucket: "1-30", open: "-700.00" },
    });
  });

  it("describes unapplied cash with the receipt's reference and its own date as due date", () => {
    const ledger = aLedger({ documents: [invoice], receipts: [receipt], applications: [payment] });
    const cash = openItemsAsOf(ledger, { asOf: "2026-02-15" }).find((i) => i.kind === "unappliedCash");
    expect(cash).toMatchObject({
      id: "rcpt",
      customerId: "C-1",
      number: "CHK 1001",
      date: "2026-02-15",
      dueDate: "2026-02-15",
      disputed: false,
    });
    expect(cash?.originalAmount.toString()).toBe("-700.00");
  });

  it("a future-dated document or receipt does not exist yet", () => {
    const later = anInvoice({ id: "later", documentDate: "2026-07-01", dueDate: "2026-07-31", amount: "50.00" });
    const laterCash = aReceipt({ id: "later-cash", date: "2026-07-01", amount: "20.00" });
    const ledger = aLedger({ documents: [later], receipts: [laterCash] });
    expect(openOf(ledger, "2026-06-30")).toEqual([]);
    expect(openOf(ledger, "2026-07-01")).toEqual([
      ["invoice", "later", "50.00", "USD"],
      ["unappliedCash", "later-cash", "-20.00", "USD"],
    ]);
  });

  it("a partially applied credit memo is a negative item aged by its own date", () => {
    const bill = anInvoice({ id: "bill", amount: "500.00", documentDate: "2026-03-01", dueDate: "2026-03-31" });
    const credit = aCreditMemo({ id: "cm", amount: "200.00", documentDate: "2026-03-10", dueDate: "2026-04-09" });
    const use = anApplication({ from: credit, to: bill, amount: "150.00", date: "2026-03-20" });
    const ledger = aLedger({ documents: [bill, credit], applications: [use] });
    // Before the application: 500.00 and −200.00; the credit is 03-10 → 03-15 = 5 days old.
    expect(agedById(aged(ledger, "2026-03-15"))).toEqual({
      bill: { days: -16, bucket: "current", open: "500.00" }, // due 03-31 is 16 days ahead
      cm: { days: 5, bucket: "1-30", open: "-200.00" },
    });
    // After: 500.00 − 150.00 = 350.00; −(200.00 − 150.00) = −50.00, 21 days old.
    expect(agedById(aged(ledger, "2026-03-31"))).toEqual({
      bill: { days: 0, bucket: "current", open: "350.00" },
      cm: { days: 21, bucket: "1-30", open: "-50.00" },
    });
    expect(agedById(aged(ledger, "2026-03-31", "document"))).toEqual({
      bill: { days: 30, bucket: "0-30", open: "350.00" },
      cm: { days: 21, bucket: "0-30", open: "-50.00" },
    });
    const cm = openItemsAsOf(ledger, { asOf: "2026-03-31" }).find((i) => i.id === "cm");
    expect(cm?.dueDate).toBe("2026-03-10");
    expect(cm?.originalAmount.toString()).toBe("-200.00");
  });

  it("discounts and write-offs on an application, and a stand-alone write-off later", () => {
    const a = anInvoice({ id: "a", amount: "1000.00" });
    const b = anInvoice({ id: "b", amount: "100.00" });
    const cash = aReceipt({ id: "cash", amount: "1079.50", date: "2026-01-10" });
    const ledger = aLedger({
      documents: [a, b],
      receipts: [cash],
      applications: [
        // 1000.00 − 980.00 − 20.00 discount = 0: closed.
        anApplication({ from: cash, to: a, amount: "980.00", discount: "20.00" }),
        // 100.00 − 99.50 = 0.50 left.
        anApplication({ from: cash, to: b, amount: "99.50" }),
      ],
      writeOffs: [aWriteOff({ of: b, amount: "0.50", date: "2026-02-01" })],
    });
    // Cash 1079.50 − 980.00 − 99.50 = 0: nothing unapplied.
    expect(openOf(ledger, "2026-01-31")).toEqual([["invoice", "b", "0.50", "USD"]]);
    expect(openOf(ledger, "2026-02-01")).toEqual([]);
  });

  it("an NSF receipt: paid until the reversal date, open again from it", () => {
    const inv = anInvoice({ id: "nsf-inv", amount: "100.00", documentDate: "2026-01-01", dueDate: "2026-01-31" });
    const check = aReceipt({ id: "nsf-chk", amount: "150.00", date: "2026-02-10" });
    const app = anApplication({ from: check, to: inv, amount: "100.00", date: "2026-02-10" });
    const ledger = aLedger({
      documents: [inv],
      receipts: [check],
      applications: [app, aReversalOf(app, "2026-02-20")],
      receiptReversals: [aReceiptReversal({ of: check, date: "2026-02-20" })],
    });
    // 02-19: invoice paid; 150.00 − 100.00 = 50.00 unapplied.
    expect(openOf(ledger, "2026-02-19")).toEqual([["unappliedCash", "nsf-chk", "-50.00", "USD"]]);
    // 02-20: the application is undone (100.00 − 100.00 + 100.00 = 100.00 open),
    // and the bounced check holds no cash. 01-31 → 02-20 is 20 days.
    expect(agedById(aged(ledger, "2026-02-20"))).toEqual({ "nsf-inv": { days: 20, bucket: "1-30", open: "100.00" } });
  });

  it("debit memos age like invoices; a credit written off shrinks", () => {
    const debit = aDebitMemo({ id: "dm", amount: "25.00", documentDate: "2026-04-01", dueDate: "2026-05-01" });
    const credit = aCreditMemo({ id: "cm-small", amount: "3.00", documentDate: "2026-04-01" });
    const ledger = aLedger({
      documents: [debit, credit],
      writeOffs: [aWriteOff({ of: credit, amount: "1.00", date: "2026-05-15" })],
    });
    // As of 06-30: debit memo 05-01 → 06-30 is 30 + 30 = 60 days; credit −(3.00 − 1.00) = −2.00,
    // 04-01 → 06-30 is 29 + 31 + 30 = 90 days.
    expect(agedById(aged(ledger, "2026-06-30"))).toEqual({
      dm: { days: 60, bucket: "31-60", open: "25.00" },
      "cm-small": { days: 90, bucket: "61-90", open: "-2.00" },
    });
    expect(openItemsAsOf(ledger, { asOf: "2026-06-30" }).map((i) => i.kind)).toEqual(["debitMemo", "creditMemo"]);
  });
});

describe("summarizeAging", () => {
  it("never mixes currencies: one customer in two currencies has two rows", () => {
    // As of 2026-06-30, basis due:
    //   C-1 USD inv-u1 100.00 due 06-30 → current; inv-u2 250.00 due 05-15 → 46 days → 31-60
    //   C-1 EUR inv-e1  80.00 due 04-01 → 90 days → 61-90
    //   C-2 USD inv-c2  40.00 due 06-29 → 1-30; credit cm-c2 −15.00 dated 06-20 → 10 days → 1-30
    //   C-2 JPY inv-j  5000 due 01-01 → 180 days → over-120
    const ledger = aLedger({
      documents: [
        anInvoice({
          id: "inv-u1",
          customerId: "C-1",
          amount: "100.00",
          documentDate: "2026-06-01",
          dueDate: "2026-06-30",
        }),
        anInvoice({
          id: "inv-e1",
          customerId: "C-1",
          currency: "EUR",
          amount: "80.00",
          documentDate: "2026-03-01",
          dueDate: "2026-04-01",
        }),
        anInvoice({
          id: "inv-u2",
          customerId: "C-1",
          amount: "250.00",
          documentDate: "2026-04-15",
          dueDate: "2026-05-15",
        }),
        anInvoice({
          id: "inv-c2",
          customerId: "C-2",
          amount: "40.00",
          documentDate: "2026-05-30",
          dueDate: "2026-06-29",
        }),
        aCreditMemo({ id: "cm-c2", customerId: "C-2", amount: "15.00", documentDate: "2026-06-20" }),
        anInvoice({
          id: "inv-j",
          customerId: "C-2",
          currency: "JPY",
          amount: "5000",
          documentDate: "2025-12-01",
          dueDate: "2026-01-01",
        }),
      ],
    });
    const summary = summarizeAging(aged(ledger, "2026-06-30"));
    const zeroUsd = {
      current: "0.00",
      "1-30": "0.00",
      "31-60": "0.00",
      "61-90": "0.00",
      "91-120": "0.00",
      "over-120": "0.00",
    };
    const zeroEur = zeroUsd;
    const zeroJpy = { current: "0", "1-30": "0", "31-60": "0", "61-90": "0", "91-120": "0", "over-120": "0" };
    expect(
      summary.customers.map((r) => ({
        customerId: r.customerId,
        currency: r.currency,
        buckets: bucketsAsText(r.buckets),
        total: r.total.toString(),
        n: r.itemCount,
      })),
    ).toEqual([
      { customerId: "C-1", currency: "EUR", buckets: { ...zeroEur, "61-90": "80.00" }, total: "80.00", n: 1 },
      {
        customerId: "C-1",
        currency: "USD",
        buckets: { ...zeroUsd, current: "100.00", "31-60": "250.00" },
        total: "350.00",
        n: 2,
      },
      { customerId: "C-2", currency: "JPY", buckets: { ...zeroJpy, "over-120": "5000" }, total: "5000", n: 1 },
      // 40.00 − 15.00 = 25.00 in 1-30.
      { customerId: "C-2", currency: "USD", buckets: { ...zeroUsd, "1-30": "25.00" }, total: "25.00", n: 2 },
    ]);
    expect(
      summary.totals.map((r) => ({
        currency: r.currency,
        buckets: bucketsAsText(r.buckets),
        total: r.total.toString(),
      })),
    ).toEqual([
      { currency: "EUR", buckets: { ...zeroEur, "61-90": "80.00" }, total: "80.00" },
      { currency: "JPY", buckets: { ...zeroJpy, "over-120": "5000" }, total: "5000" },
      // 100.00 + 250.00 + 40.00 − 15.00 = 375.00
      {
        currency: "USD",
        buckets: { ...zeroUsd, current: "100.00", "1-30": "25.00", "31-60": "250.00" },
        total: "375.00",
      },
    ]);
    expect(summary.disputed).toEqual([]);
    expect(summary.buckets.map((b) => b.key)).toEqual(Object.keys(zeroUsd));
  });

  it("leaves disputed items out with excludeDisputed and reports them per currency", () => {
    // As of 2026-06-30: ok 200.00 due 06-10 → 20 days → 1-30;
    // disputed 300.00 due 04-30 → 61 days → 61-90; disputed EUR 70.00 due 06-30 → current.
    const ledger = aLedger({
      documents: [
        anInvoice({ id: "ok", amount: "200.00", documentDate: "2026-05-11", dueDate: "2026-06-10" }),
        anInvoice({ id: "dsp", amount: "300.00", documentDate: "2026-03-31", dueDate: "2026-04-30", disputed: true }),
        anInvoice({
          id: "dsp-eur",
          currency: "EUR",
          amount: "70.00",
          documentDate: "2026-05-31",
          dueDate: "2026-06-30",
          disputed: true,
        }),
      ],
    });
    const items = aged(ledger, "2026-06-30");
    expect(items.filter((i) => i.disputed).map((i) => i.id)).toEqual(["dsp", "dsp-eur"]);

    const excluded = summarizeAging(items, { excludeDisputed: true });
    expect(excluded.customers.map((r) => [r.currency, r.total.toString(), r.buckets["1-30"]?.toString()])).toEqual([
      ["USD", "200.00", "200.00"],
    ]);
    expect(excluded.totals.map((r) => [r.currency, r.total.toString()])).toEqual([["USD", "200.00"]]);
    expect(excluded.disputed.map((r) => [r.currency, r.total.toString(), r.itemCount])).toEqual([
      ["EUR", "70.00", 1],
      ["USD", "300.00", 1],
    ]);
    expect(excluded.disputed[1]?.buckets["61-90"]?.toString()).toBe("300.00");

    // Without the flag they are counted: 200.00 + 300.00 = 500.00 USD, 70.00 EUR.
    const included = summarizeAging(items);
    expect(included.totals.map((r) => [r.currency, r.total.toString()])).toEqual([
      ["EUR", "70.00"],
      ["USD", "500.00"],
    ]);
    expect(included.disputed.map((r) => [r.currency, r.total.toString()])).toEqual([
      ["EUR", "70.00"],
      ["USD", "300.00"],
    ]);
  });

  it("uses the basis and edges the items were aged with, and refuses a mismatch", () => {
    const ledger = aLedger({ documents: [anInvoice({ id: "x", documentDate: "2026-06-01", dueDate: "2026-06-10" })] });
    // 06-10 → 06-30 is 20 days: 16-45 with edges [15, 45].
    const items = aged(ledger, "2026-06-30", "due", [15, 45]);
    const summary = summarizeAging(items, { edges: [15, 45] });
    expect(bucketsAsText(summary.totals[0]?.buckets ?? {})).toEqual({
      current: "0.00",
      "1-15": "0.00",
      "16-45": "100.00",
      "over-45": "0.00",
    });
    expectDomainError(() => summarizeAging(items), "invalid_argument", /"16-45"/);
  });

  it("is empty for no items", () => {
    const summary = summarizeAging([]);
    expect(summary).toMatchObject({ basis: "due", customers: [], totals: [], disputed: [] });
  });
});
