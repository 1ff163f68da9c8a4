import { describe, expect, it } from "vitest";
import {
  SHORT_PAY_REASON,
  referenceKey,
  suggestAllocations,
  validateAllocations,
  type Allocation,
  type AllocationRequest,
  type ApplicationOptions,
  type ApplicationSource,
  type CashApplicationInput,
  type OpenItemForApplication,
} from "../../shared/cash-application.js";
import { DomainError } from "../../shared/errors.js";
import type { ArDocument, Receipt } from "../../shared/ledger.js";
import type { Money } from "../../shared/money.js";
import { parseTerms } from "../../shared/terms.js";
import { aCreditMemo, anInvoice, aReceipt, d, money, NET_30, TWO_10_NET_30, usd } from "../support/builders.js";

// Fixtures. 2/10 NET 30 documents dated 2026-01-05: last discount day 2026-01-15, due 2026-02-04.
const INV_1041 = anInvoice({
  id: "inv-1041",
  number: "INV-1041",
  amount: "500.00",
  documentDate: "2025-12-01",
  dueDate: "2025-12-31",
  terms: NET_30,
});
const INV_1042 = anInvoice({
  id: "inv-1042",
  number: "INV-001042",
  amount: "1250.00",
  documentDate: "2026-01-05",
  dueDate: "2026-02-04",
  terms: TWO_10_NET_30,
});

const open = (document: ArDocument, amount?: string): OpenItemForApplication => ({
  document,
  open: amount === undefined ? document.amount : money(amount, document.currency),
});

const fromReceipt = (receipt: Receipt, remittance?: string): ApplicationSource =>
  remittance === undefined ? { kind: "receipt", receipt } : { kind: "receipt", receipt, remittance };

function input(spec: {
  source: ApplicationSource;
  items: readonly OpenItemForApplication[];
  paymentDate?: string;
  unapplied?: Money;
  options?: Partial<ApplicationOptions>;
}): CashApplicationInput {
  const base = {
    source: spec.source,
    openItems: spec.items,
    options: { paymentDate: d(spec.paymentDate ?? "2026-01-15"), ...spec.options },
  };
  return spec.unapplied === undefined ? base : { ...base, unapplied: spec.unapplied };
}

/** Allocations as plain strings, to compare against hand-worked tables. */
const plain = (allocations: readonly Allocation[]) =>
  allocations.map((a) => ({
    documentId: a.documentId,
    amount: a.amount.toString(),
    discount: a.discount.toString(),
    writeOff: a.writeOff.toString(),
    writeOffReason: a.writeOffReason,
  }));

const alloc = (
  documentId: string,
  amount: string,
  discount = "0.00",
  writeOff = "0.00",
  writeOffReason: string | null = null,
) => ({
  documentId,
  amount,
  discount,
  writeOff,
  writeOffReason,
});

function validate(spec: Parameters<typeof input>[0], allocations: readonly AllocationRequest[]) {
  return validateAllocations({ ...input(spec), allocations });
}

function errorsOf(result: ReturnType<typeof validateAllocations>) {
  if (result.ok) return [];
  return result.errors.map(({ index, field, code }) => ({ index, field, code }));
}

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

describe("suggestAllocations: (a) documents named in the reference", () => {
  it("applies the named invoice, taking the discount on the last discount day", () => {
    // 2% of 1,250.00 = 25.00; 1,250.00 − 25.00 = 1,225.00 = the receipt.
    const receipt = aReceipt({ amount: "1225.00", date: "2026-01-15", reference: "Pmt inv #1042" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(INV_1041), open(INV_1042)] }),
    );
    expect(suggestion.rule).toBe("referencedInvoices");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1042", "1225.00", "25.00")]);
    expect(suggestion.unapplied.toString()).toBe("0.00");
    expect(suggestion.reasons).toEqual(["INV-001042 in reference; amount equals open 1,250.00 less 2% discount 25.00"]);
  });

  it.each([
    "inv 1042",
    "INV1042",
    "#1042",
    "# 01042",
    "Invoice No. 001042",
    "INV-1042.",
    "paying 1042, thanks",
    "INV 1041/1042",
  ])("finds INV-001042 in %j", (reference) => {
    const receipt = aReceipt({ amount: "1225.00", reference });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_1042)] }));
    expect(suggestion.rule).toBe("referencedInvoices");
  });

  it.each(["11042", "10420", "1042A", "INV-2042", "check 104"])("does not take %j for INV-001042", (reference) => {
    expect(referenceKey(INV_1042.number)).toBe("1042");
    const receipt = aReceipt({ amount: "1225.00", reference });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_1042)] }));
    expect(suggestion.rule).not.toBe("referencedInvoices");
  });

  it("reads the remittance text as well as the bank reference", () => {
    const receipt = aReceipt({ amount: "500.00", reference: "WIRE 88213" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt, "Invoices INV-1041"), items: [open(INV_1041), open(INV_1042)] }),
    );
    expect(suggestion.rule).toBe("referencedInvoices");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1041", "500.00")]);
  });

  it("applies several named invoices oldest due first", () => {
    // INV-1041 (due 2025-12-31) 500.00 in full; INV-001042 1,250.00 less 25.00 = 1,225.00. Total 1,725.00.
    const receipt = aReceipt({ amount: "1725.00", reference: "1042, 1041" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(INV_1042), open(INV_1041)] }),
    );
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1041", "500.00"), alloc("inv-1042", "1225.00", "25.00")]);
    expect(suggestion.reasons).toEqual([
      "INV-1041 in reference; settles open 500.00",
      "INV-001042 in reference; amount equals open 1,250.00 less 2% discount 25.00",
    ]);
  });

  it("leaves an overpayment unapplied rather than spreading it to documents not named", () => {
    const receipt = aReceipt({ amount: "600.00", reference: "INV-1041" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(INV_1041), open(INV_1042)] }),
    );
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1041", "500.00")]);
    expect(suggestion.unapplied.toString()).toBe("100.00"); // 600.00 − 500.00
    expect(suggestion.reasons).toContain("100.00 left unapplied: more than the documents named in the reference");
  });

  it("says so when a named document belongs to another customer, and falls back to the next rule", () => {
    const other = anInvoice({ id: "x-7", number: "INV-7", customerId: "C-2", amount: "500.00" });
    const receipt = aReceipt({ amount: "500.00", reference: "INV-7" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(other), open(INV_1041)] }),
    );
    expect(suggestion.rule).toBe("exactAmount");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1041", "500.00")]);
    expect(suggestion.reasons[0]).toBe("INV-7 in reference but belongs to customer C-2; not applied");
  });
});

describe("suggestAllocations: (b) one item the amount pays exactly", () => {
  const INV_1 = anInvoice({
    id: "inv-1",
    number: "INV-1",
    amount: "300.00",
    documentDate: "2025-12-11",
    dueDate: "2026-01-10",
  });
  const INV_2 = anInvoice({
    id: "inv-2",
    number: "INV-2",
    amount: "750.00",
    documentDate: "2025-12-21",
    dueDate: "2026-01-20",
  });
  const INV_3 = anInvoice({
    id: "inv-3",
    number: "INV-3",
    amount: "1000.00",
    documentDate: "2026-01-05",
    dueDate: "2026-02-04",
    terms: TWO_10_NET_30,
  });

  it("prefers the item whose open amount equals the receipt over the oldest item", () => {
    const receipt = aReceipt({ amount: "750.00" });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_1), open(INV_2)] }));
    expect(suggestion.rule).toBe("exactAmount");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-2", "750.00")]);
    expect(suggestion.reasons).toEqual(["INV-2: amount equals open 750.00"]);
  });

  it("matches the amount after the early-payment discount on the last discount day", () => {
    // 2% of 1,000.00 = 20.00; 1,000.00 − 20.00 = 980.00.
    const receipt = aReceipt({ amount: "980.00" });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_1), open(INV_3)] }));
    expect(suggestion.rule).toBe("exactAmount");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-3", "980.00", "20.00")]);
    expect(suggestion.reasons).toEqual(["INV-3: amount equals open 1,000.00 less 2% discount 20.00"]);
  });

  it("does not take the discount the day after; oldest first applies instead", () => {
    // 980.00: INV-1 300.00 in full, then 680.00 of INV-3's 1,000.00, leaving 320.00 open.
    const receipt = aReceipt({ amount: "980.00" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(INV_1), open(INV_3)], paymentDate: "2026-01-16" }),
    );
    expect(suggestion.rule).toBe("oldestFirst");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1", "300.00"), alloc("inv-3", "680.00")]);
    expect(suggestion.reasons[1]).toBe(
      "INV-3 (due 2026-02-04): partial payment 680.00 of open 1,000.00; 320.00 stays open (no short-pay tolerance is set)",
    );
  });

  it("takes the discount within grace days, not after them", () => {
    const receipt = aReceipt({ amount: "980.00" });
    const within = suggestAllocations(
      input({
        source: fromReceipt(receipt),
        items: [open(INV_3)],
        paymentDate: "2026-01-17",
        options: { graceDays: 2 },
      }),
    );
    expect(plain(within.allocations)).toEqual([alloc("inv-3", "980.00", "20.00")]);
    const after = suggestAllocations(
      input({
        source: fromReceipt(receipt),
        items: [open(INV_3)],
        paymentDate: "2026-01-18",
        options: { graceDays: 2 },
      }),
    );
    expect(plain(after.allocations)).toEqual([alloc("inv-3", "980.00")]);
  });

  it("records a gross payment inside the window as paid in full, without the discount", () => {
    const receipt = aReceipt({ amount: "1000.00" });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_1), open(INV_3)] }));
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-3", "1000.00")]);
    expect(suggestion.unapplied.toString()).toBe("0.00");
  });

  it("picks the oldest due when several items match", () => {
    const INV_2B = anInvoice({ id: "inv-2b", number: "INV-2B", amount: "750.00", dueDate: "2026-01-25" });
    const receipt = aReceipt({ amount: "750.00" });
    const suggestion = suggestAllocations(input({ source: fromReceipt(receipt), items: [open(INV_2B), open(INV_2)] }));
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-2", "750.00")]);
    expect(suggestion.reasons[0]).toMatch(/oldest due of 2 items/);
  });

  it("compares with the current open amount, not the original amount", () => {
    const receipt = aReceipt({ amount: "120.00" });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(receipt), items: [open(INV_1), open(INV_2, "120.00")] }),
    );
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-2", "120.00")]);
  });
});

describe("suggestAllocations: (c) oldest due first", () => {
  const INV_1 = anInvoice({ id: "inv-1", number: "INV-1", amount: "300.00", dueDate: "2026-01-10" });
  const INV_2 = anInvoice({ id: "inv-2", number: "INV-2", amount: "500.00", dueDate: "2026-01-20" });
  const INV_4 = anInvoice({ id: "inv-4", number: "INV-4", amount: "200.00", dueDate: "2026-02-01" });
  const items = [open(INV_4), open(INV_2), open(INV_1)];

  it("settles the oldest items and leaves the rest of a partly paid one open", () => {
    // 600.00: INV-1 300.00, then 300.00 of INV-2's 500.00.
    const suggestion = suggestAllocations(input({ source: fromReceipt(aReceipt({ amount: "600.00" })), items }));
    expect(suggestion.rule).toBe("oldestFirst");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1", "300.00"), alloc("inv-2", "300.00")]);
    expect(suggestion.unapplied.toString()).toBe("0.00");
    expect(suggestion.reasons).toEqual([
      "INV-1 (due 2026-01-10): settles open 300.00",
      "INV-2 (due 2026-01-20): partial payment 300.00 of open 500.00; 200.00 stays open (no short-pay tolerance is set)",
    ]);
  });

  it("leaves an overpayment unapplied", () => {
    // 300.00 + 500.00 + 200.00 = 1,000.00; 1,100.00 − 1,000.00 = 100.00.
    const suggestion = suggestAllocations(input({ source: fromReceipt(aReceipt({ amount: "1100.00" })), items }));
    expect(plain(suggestion.allocations)).toEqual([
      alloc("inv-1", "300.00"),
      alloc("inv-2", "500.00"),
      alloc("inv-4", "200.00"),
    ]);
    expect(suggestion.unapplied.toString()).toBe("100.00");
    expect(suggestion.reasons.at(-1)).toBe("100.00 left unapplied: more than all open items");
  });

  it("skips disputed items", () => {
    const disputed = anInvoice({
      id: "inv-0",
      number: "INV-0",
      amount: "50.00",
      dueDate: "2025-12-01",
      disputed: true,
    });
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(aReceipt({ amount: "350.00" })), items: [...items, open(disputed)] }),
    );
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1", "300.00"), alloc("inv-2", "50.00")]);
    expect(suggestion.reasons).toContain("INV-0 skipped: disputed");
  });

  it("applies only what is still unapplied on the receipt", () => {
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(aReceipt({ amount: "1000.00" })), items, unapplied: usd("250.00") }),
    );
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-1", "250.00")]);
    expect(suggestion.unapplied.toString()).toBe("0.00");
  });

  it("suggests nothing when nothing is unapplied", () => {
    const suggestion = suggestAllocations(
      input({ source: fromReceipt(aReceipt({ amount: "100.00" })), items, unapplied: usd("0.00") }),
    );
    expect(suggestion.allocations).toEqual([]);
    expect(suggestion.unapplied.toString()).toBe("0.00");
  });

  it("never applies to another currency, another customer, a credit memo or an item with nothing open", () => {
    const eur = anInvoice({ id: "eur-1", number: "EUR-1", currency: "EUR", amount: "100.00", dueDate: "2025-11-01" });
    const theirs = anInvoice({
      id: "c2-1",
      number: "C2-1",
      customerId: "C-2",
      amount: "100.00",
      dueDate: "2025-11-01",
    });
    const credit = aCreditMemo({ id: "cm-1", number: "CM-1", amount: "100.00", dueDate: "2025-11-01" });
    const paid = anInvoice({ id: "paid-1", number: "PAID-1", amount: "100.00", dueDate: "2025-11-01" });
    const suggestion = suggestAllocations(
      input({
        source: fromReceipt(aReceipt({ amount: "100.00" })),
        items: [open(eur), open(theirs), open(credit), open(paid, "0.00")],
      }),
    );
    expect(suggestion.allocations).toEqual([]);
    expect(suggestion.unapplied.toString()).toBe("100.00");
    expect(suggestion.reasons).toEqual(["100.00 left unapplied: no open items for customer C-1 in USD"]);
  });
});

describe("suggestAllocations: short pays and write-off tolerance", () => {
  const INV_5 = anInvoice({ id: "inv-5", number: "INV-5", amount: "1000.00", dueDate: "2026-01-31" });
  const short = (amount: string, options: Partial<ApplicationOptions>, items = [open(INV_5)]) =>
    suggestAllocations(input({ source: fromReceipt(aReceipt({ amount })), items, options }));

  it("writes off a short pay within an amount tolerance", () => {
    // 1,000.00 − 995.00 = 5.00 ≤ 5.00
    const suggestion = short("995.00", { writeOffTolerance: { amount: usd("5.00") } });
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-5", "995.00", "0.00", "5.00", SHORT_PAY_REASON)]);
    expect(SHORT_PAY_REASON).toBe("short pay within tolerance");
    expect(suggestion.reasons[0]).toBe(
      "INV-5 (due 2026-01-31): short pay of open 1,000.00: 995.00 paid, 5.00 written off (within tolerance 5.00)",
    );
  });

  it("leaves a short pay outside the amount tolerance open", () => {
    // 1,000.00 − 994.99 = 5.01 > 5.00
    const suggestion = short("994.99", { writeOffTolerance: { amount: usd("5.00") } });
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-5", "994.99")]);
    expect(suggestion.reasons[0]).toBe(
      "INV-5 (due 2026-01-31): partial payment 994.99 of open 1,000.00; 5.01 stays open (short 5.01 is more than the tolerance 5.00)",
    );
  });

  it("measures a percent tolerance against the document's open amount, rounded down", () => {
    // 0.5% of 1,000.00 = 5.00
    expect(plain(short("995.00", { writeOffTolerance: { percent: "0.5" } }).allocations)).toEqual([
      alloc("inv-5", "995.00", "0.00", "5.00", SHORT_PAY_REASON),
    ]);
    expect(plain(short("994.99", { writeOffTolerance: { percent: "0.5" } }).allocations)).toEqual([
      alloc("inv-5", "994.99"),
    ]);
    // 0.5% of 1,001.00 = 5.005 → 5.00 (an "at most" limit rounds down); 1,001.00 − 995.99 = 5.01 is outside.
    const odd = anInvoice({ id: "inv-6", number: "INV-6", amount: "1001.00", dueDate: "2026-01-31" });
    expect(plain(short("995.99", { writeOffTolerance: { percent: "0.5" } }, [open(odd)]).allocations)).toEqual([
      alloc("inv-6", "995.99"),
    ]);
    // 0.5% of the open 600.00 (not the 1,000.00 invoiced) = 3.00; short 4.00 stays open.
    expect(
      plain(short("596.00", { writeOffTolerance: { percent: "0.5" } }, [open(INV_5, "600.00")]).allocations),
    ).toEqual([alloc("inv-5", "596.00")]);
  });

  it("uses the lower of an amount and a percent tolerance", () => {
    // min(3.00, 0.5% of 1,000.00 = 5.00) = 3.00
    const both = { writeOffTolerance: { amount: usd("3.00"), percent: "0.5" } };
    expect(plain(short("997.00", both).allocations)).toEqual([
      alloc("inv-5", "997.00", "0.00", "3.00", SHORT_PAY_REASON),
    ]);
    expect(plain(short("996.00", both).allocations)).toEqual([alloc("inv-5", "996.00")]);
  });

  it("never suggests a write-off above the write-off limit", () => {
    const options = { writeOffTolerance: { amount: usd("5.00") }, writeOffLimit: usd("2.00") };
    expect(plain(short("998.00", options).allocations)).toEqual([
      alloc("inv-5", "998.00", "0.00", "2.00", SHORT_PAY_REASON),
    ]);
    expect(plain(short("995.00", options).allocations)).toEqual([alloc("inv-5", "995.00")]);
  });

  it("combines a discount with a short pay inside the tolerance", () => {
    // 1,000.00 − 2% 20.00 = 980.00 expected; 978.00 paid; 2.00 written off. 978 + 20 + 2 = 1,000.00.
    const INV_3 = anInvoice({
      id: "inv-3",
      number: "INV-3",
      amount: "1000.00",
      documentDate: "2026-01-05",
      dueDate: "2026-02-04",
      terms: TWO_10_NET_30,
    });
    const suggestion = short("978.00", { writeOffTolerance: { amount: usd("5.00") } }, [open(INV_3)]);
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-3", "978.00", "20.00", "2.00", SHORT_PAY_REASON)]);
    expect(
      validateAllocations({
        ...input({ source: fromReceipt(aReceipt({ amount: "978.00" })), items: [open(INV_3)] }),
        allocations: suggestion.allocations,
      }).ok,
    ).toBe(true);
  });

  it("works in currencies without and with three decimals", () => {
    const jpy = anInvoice({ id: "jpy-1", number: "J-1", currency: "JPY", amount: "10000", dueDate: "2026-01-31" });
    const jpyReceipt = aReceipt({ currency: "JPY", amount: "9995" });
    const jpySuggestion = suggestAllocations(
      input({
        source: fromReceipt(jpyReceipt),
        items: [open(jpy)],
        options: { writeOffTolerance: { amount: money("5", "JPY") } },
      }),
    );
    expect(plain(jpySuggestion.allocations)).toEqual([alloc("jpy-1", "9995", "0", "5", SHORT_PAY_REASON)]);

    // 2/10 NET 30 on 1.025 KWD: 2% = 0.0205 → 0.021 half-up; 1.025 − 0.021 = 1.004.
    const kwd = anInvoice({
      id: "kwd-1",
      number: "K-1",
      currency: "KWD",
      amount: "1.025",
      documentDate: "2026-01-05",
      terms: TWO_10_NET_30,
    });
    const kwdSuggestion = suggestAllocations(
      input({ source: fromReceipt(aReceipt({ currency: "KWD", amount: "1.004" })), items: [open(kwd)] }),
    );
    expect(plain(kwdSuggestion.allocations)).toEqual([alloc("kwd-1", "1.004", "0.021", "0.000")]);
  });
});

describe("suggestAllocations: a credit memo as the source", () => {
  const CM = aCreditMemo({ id: "cm-7", number: "CM-7", amount: "200.00", documentDate: "2026-01-10" });
  const INV_3 = anInvoice({
    id: "inv-3",
    number: "INV-3",
    amount: "1000.00",
    documentDate: "2026-01-05",
    dueDate: "2026-02-04",
    terms: TWO_10_NET_30,
  });
  const INV_8 = anInvoice({
    id: "inv-8",
    number: "INV-8",
    amount: "204.08",
    documentDate: "2026-01-05",
    dueDate: "2026-02-04",
    terms: TWO_10_NET_30,
  });

  it("applies like a receipt but takes no discount", () => {
    // On a receipt 200.00 would pay INV-8 exactly: 2% of 204.08 = 4.0816 → 4.08; 204.08 − 4.08 = 200.00.
    const asReceipt = suggestAllocations(
      input({ source: fromReceipt(aReceipt({ amount: "200.00" })), items: [open(INV_3), open(INV_8)] }),
    );
    expect(plain(asReceipt.allocations)).toEqual([alloc("inv-8", "200.00", "4.08")]);
    // The credit memo earns no discount, so nothing matches exactly. INV-3 and INV-8 are both due 2026-02-04
    // and dated 2026-01-05, so the number decides the order: INV-3 first.
    const asCredit = suggestAllocations(
      input({ source: { kind: "creditMemo", document: CM }, items: [open(CM), open(INV_3), open(INV_8)] }),
    );
    expect(asCredit.rule).toBe("oldestFirst");
    expect(plain(asCredit.allocations)).toEqual([alloc("inv-3", "200.00")]);
    expect(asCredit.reasons).toEqual([
      "INV-3 (due 2026-02-04): partial payment 200.00 of open 1,000.00; 800.00 stays open (no short-pay tolerance is set)",
    ]);
  });

  it("can be matched by reference", () => {
    const suggestion = suggestAllocations(
      input({
        source: { kind: "creditMemo", document: CM, remittance: "credit for INV-8" },
        items: [open(INV_3), open(INV_8)],
      }),
    );
    expect(suggestion.rule).toBe("referencedInvoices");
    expect(plain(suggestion.allocations)).toEqual([alloc("inv-8", "200.00")]);
    expect(suggestion.reasons[0]).toBe(
      "INV-8 in reference; partial payment 200.00 of open 204.08; 4.08 stays open (no short-pay tolerance is set)",
    );
  });
});

describe("validateAllocations", () => {
  const INV_3 = anInvoice({
    id: "inv-3",
    number: "INV-3",
    amount: "1000.00",
    documentDate: "2026-01-05",
    dueDate: "2026-02-04",
    terms: TWO_10_NET_30,
  });
  const INV_9 = anInvoice({ id: "inv-9", number: "INV-9", amount: "400.00", terms: NET_30 });
  const EUR_1 = anInvoice({ id: "eur-1", number: "EUR-1", currency: "EUR", amount: "100.00" });
  const THEIRS = anInvoice({ id: "c2-1", number: "C2-1", customerId: "C-2", amount: "100.00" });
  const CM = aCreditMemo({ id: "cm-1", number: "CM-1", amount: "50.00" });
  const items = [open(INV_3), open(INV_9), open(EUR_1), open(THEIRS), open(CM)];
  const receipt = aReceipt({ amount: "1000.00" });
  const spec = { source: fromReceipt(receipt), items };

  it("accepts valid allocations and returns them as Money", () => {
    const result = validate(spec, [
      { documentId: "inv-3", amount: "580.00", discount: "20.00" },
      { documentId: "inv-9", amount: usd("395.00"), writeOff: "5.00", writeOffReason: "short pay" },
    ]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(plain(result.allocations)).toEqual([
        alloc("inv-3", "580.00", "20.00"),
        alloc("inv-9", "395.00", "0.00", "5.00", "short pay"),
      ]);
    }
    expect(validate(spec, []).ok).toBe(true);
  });

  it("accepts trailing zeros beyond the currency's decimals and the exact open and unapplied amounts", () => {
    expect(validate(spec, [{ documentId: "inv-3", amount: "980.0000", discount: "20.00" }]).ok).toBe(true);
    expect(validate(spec, [{ documentId: "inv-3", amount: "1000.00" }]).ok).toBe(true);
  });

  const cases: [string, AllocationRequest[], { index: number; field: string; code: string }[]][] = [
    [
      "an unknown document",
      [{ documentId: "nope", amount: "1.00" }],
      [{ index: 0, field: "documentId", code: "document_not_found" }],
    ],
    [
      "another customer's document",
      [{ documentId: "c2-1", amount: "1.00" }],
      [{ index: 0, field: "documentId", code: "wrong_customer" }],
    ],
    [
      "a credit memo as a target",
      [{ documentId: "cm-1", amount: "1.00" }],
      [{ index: 0, field: "documentId", code: "not_applicable" }],
    ],
    [
      "a document in another currency",
      [{ documentId: "eur-1", amount: "1.00" }],
      [{ index: 0, field: "documentId", code: "currency_mismatch" }],
    ],
    [
      "an amount in another currency",
      [{ documentId: "inv-9", amount: money("1.00", "EUR") }],
      [{ index: 0, field: "amount", code: "currency_mismatch" }],
    ],
    [
      "text that is not an amount",
      [{ documentId: "inv-9", amount: "1,000.00" }],
      [{ index: 0, field: "amount", code: "invalid_amount" }],
    ],
    ["an empty amount", [{ documentId: "inv-9", amount: "" }], [{ index: 0, field: "amount", code: "invalid_amount" }]],
    [
      "a zero amount",
      [{ documentId: "inv-9", amount: "0.00" }],
      [{ index: 0, field: "amount", code: "invalid_amount" }],
    ],
    [
      "a negative amount",
      [{ documentId: "inv-9", amount: "-5.00" }],
      [{ index: 0, field: "amount", code: "invalid_amount" }],
    ],
    [
      "a negative discount",
      [{ documentId: "inv-3", amount: "5.00", discount: "-1.00" }],
      [{ index: 0, field: "discount", code: "invalid_amount" }],
    ],
    [
      "a negative write-off",
      [{ documentId: "inv-9", amount: "5.00", writeOff: "-1.00", writeOffReason: "x" }],
      [{ index: 0, field: "writeOff", code: "invalid_amount" }],
    ],
    [
      "cents of a cent",
      [{ documentId: "inv-9", amount: "10.005" }],
      [{ index: 0, field: "amount", code: "too_many_decimals" }],
    ],
    [
      "a discount with too many decimals",
      [{ documentId: "inv-3", amount: "10.00", discount: "0.001" }],
      [{ index: 0, field: "discount", code: "too_many_decimals" }],
    ],
    [
      "the same document twice",
      [
        { documentId: "inv-9", amount: "100.00" },
        { documentId: "inv-9", amount: "100.00" },
      ],
      [{ index: 1, field: "documentId", code: "duplicate_document" }],
    ],
    [
      // 390.00 + 0 + 20.00 = 410.00 > 400.00 open
      "more than the document's open amount",
      [{ documentId: "inv-9", amount: "390.00", writeOff: "20.00", writeOffReason: "small balance" }],
      [{ index: 0, field: "amount", code: "exceeds_open" }],
    ],
    [
      // 990.00 + 20.00 = 1,010.00 > 1,000.00 open
      "amount plus discount over the open amount",
      [{ documentId: "inv-3", amount: "990.00", discount: "20.00" }],
      [{ index: 0, field: "amount", code: "exceeds_open" }],
    ],
    [
      // 700.00 + 400.00 = 1,100.00 > 1,000.00 received
      "more than the receipt",
      [
        { documentId: "inv-3", amount: "700.00" },
        { documentId: "inv-9", amount: "400.00" },
      ],
      [{ index: 1, field: "amount", code: "exceeds_unapplied" }],
    ],
    [
      // 2% of 1,000.00 = 20.00 allowed
      "more discount than the terms allow",
      [{ documentId: "inv-3", amount: "979.00", discount: "21.00" }],
      [{ index: 0, field: "discount", code: "discount_not_allowed" }],
    ],
    [
      "a discount on terms without one",
      [{ documentId: "inv-9", amount: "392.00", discount: "8.00" }],
      [{ index: 0, field: "discount", code: "discount_not_allowed" }],
    ],
    [
      "a write-off without a reason",
      [{ documentId: "inv-9", amount: "395.00", writeOff: "5.00" }],
      [{ index: 0, field: "writeOffReason", code: "write_off_reason_required" }],
    ],
    [
      "a write-off with a blank reason",
      [{ documentId: "inv-9", amount: "395.00", writeOff: "5.00", writeOffReason: "  " }],
      [{ index: 0, field: "writeOffReason", code: "write_off_reason_required" }],
    ],
  ];
  it.each(cases)("reports %s", (_name, allocations, expected) => {
    expect(errorsOf(validate(spec, allocations))).toEqual(expected);
  });

  it("explains each error in words", () => {
    const result = validate(spec, [
      { documentId: "inv-3", amount: "990.00", discount: "20.00" },
      { documentId: "inv-9", amount: "400.00", writeOff: "5.00" },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.message)).toEqual([
      "INV-3: amount 990.00 + discount 20.00 + write-off 0.00 = 1,010.00, more than its open 1,000.00",
      "allocations up to here total 1,390.00, more than the receipt's unapplied 1,000.00",
      "INV-9: amount 400.00 + discount 0.00 + write-off 5.00 = 405.00, more than its open 400.00",
      "write-off 5.00 on INV-9 needs a reason",
    ]);
  });

  it("allows the discount on the last discount day and refuses it the day after", () => {
    const allocations = [{ documentId: "inv-3", amount: "980.00", discount: "20.00" }];
    expect(validate({ ...spec, paymentDate: "2026-01-15" }, allocations).ok).toBe(true);
    const late = validate({ ...spec, paymentDate: "2026-01-16" }, allocations);
    expect(errorsOf(late)).toEqual([{ index: 0, field: "discount", code: "discount_not_allowed" }]);
    expect(late.ok ? "" : late.errors[0]?.message).toBe(
      "discount 20.00 is not allowed: payment date 2026-01-16 is after INV-3's discount deadline 2026-01-15",
    );
    expect(validate({ ...spec, paymentDate: "2026-01-16", options: { graceDays: 1 } }, allocations).ok).toBe(true);
  });

  it("measures the receipt against what is still unapplied", () => {
    const partlyUsed = { ...spec, unapplied: usd("300.00") };
    expect(validate(partlyUsed, [{ documentId: "inv-9", amount: "300.00" }]).ok).toBe(true);
    expect(errorsOf(validate(partlyUsed, [{ documentId: "inv-9", amount: "300.01" }]))).toEqual([
      { index: 0, field: "amount", code: "exceeds_unapplied" },
    ]);
  });

  it("enforces the write-off limit", () => {
    const limited = { ...spec, options: { writeOffLimit: usd("10.00") } };
    const at = (writeOff: string) => [
      { documentId: "inv-9", amount: "300.00", writeOff, writeOffReason: "small balance" },
    ];
    expect(validate(limited, at("10.00")).ok).toBe(true);
    expect(errorsOf(validate(limited, at("10.01")))).toEqual([
      { index: 0, field: "writeOff", code: "write_off_over_limit" },
    ]);
  });

  it("checks precision per currency (JPY none, KWD three)", () => {
    const jpy = anInvoice({ id: "jpy-1", number: "J-1", currency: "JPY", amount: "10000" });
    const jpySpec = { source: fromReceipt(aReceipt({ currency: "JPY", amount: "10000" })), items: [open(jpy)] };
    expect(validate(jpySpec, [{ documentId: "jpy-1", amount: "5000" }]).ok).toBe(true);
    expect(errorsOf(validate(jpySpec, [{ documentId: "jpy-1", amount: "5000.5" }]))).toEqual([
      { index: 0, field: "amount", code: "too_many_decimals" },
    ]);
    const kwd = anInvoice({ id: "kwd-1", number: "K-1", currency: "KWD", amount: "10.000" });
    const kwdSpec = { source: fromReceipt(aReceipt({ currency: "KWD", amount: "10.000" })), items: [open(kwd)] };
    expect(validate(kwdSpec, [{ documentId: "kwd-1", amount: "1.234" }]).ok).toBe(true);
    expect(errorsOf(validate(kwdSpec, [{ documentId: "kwd-1", amount: "1.2345" }]))).toEqual([
      { index: 0, field: "amount", code: "too_many_decimals" },
    ]);
  });

  it("refuses any discount on a credit memo application and applying a credit memo to itself", () => {
    const creditSpec = { source: { kind: "creditMemo" as const, document: CM }, items };
    expect(validate(creditSpec, [{ documentId: "inv-3", amount: "50.00" }]).ok).toBe(true);
    const result = validate(creditSpec, [
      { documentId: "inv-3", amount: "49.00", discount: "1.00" },
      { documentId: "cm-1", amount: "1.00" },
    ]);
    expect(errorsOf(result)).toEqual([
      { index: 0, field: "discount", code: "discount_not_allowed" },
      { index: 1, field: "documentId", code: "not_applicable" },
    ]);
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([
      "discount 1.00 is not allowed: a credit memo application takes no discount",
      "CM-1 is the credit memo being applied; it cannot be applied to itself",
    ]);
    // 50.00 of credit cannot pay 60.00
    expect(errorsOf(validate(creditSpec, [{ documentId: "inv-9", amount: "60.00" }]))).toEqual([
      { index: 0, field: "amount", code: "exceeds_unapplied" },
    ]);
  });

  it("throws DomainError on malformed input", () => {
    const ok = input(spec);
    const bad: [string, () => unknown, string][] = [
      ["allocations not a list", () => validateAllocations({ ...ok, allocations: "x" as never }), "allocations"],
      [
        "allocation not an object",
        () => validateAllocations({ ...ok, allocations: [null as never] }),
        "allocations[0]",
      ],
      [
        "documentId missing",
        () => validateAllocations({ ...ok, allocations: [{ amount: "1.00" } as never] }),
        "allocations[0].documentId",
      ],
      [
        "amount as a number",
        () => validateAllocations({ ...ok, allocations: [{ documentId: "inv-9", amount: 100 as never }] }),
        "allocations[0].amount",
      ],
      [
        "discount as null",
        () =>
          validateAllocations({
            ...ok,
            allocations: [{ documentId: "inv-9", amount: "1.00", discount: null as never }],
          }),
        "allocations[0].discount",
      ],
      [
        "reason as a number",
        () =>
          validateAllocations({
            ...ok,
            allocations: [{ documentId: "inv-9", amount: "1.00", writeOffReason: 5 as never }],
          }),
        "allocations[0].writeOffReason",
      ],
      ["unknown source kind", () => suggestAllocations({ ...ok, source: { kind: "cheque" } as never }), "source.kind"],
      [
        "a receipt amount in another currency",
        () => suggestAllocations({ ...ok, source: fromReceipt({ ...receipt, amount: money("1.00", "EUR") }) }),
        "source.receipt.amount",
      ],
      [
        "an invoice as the credit source",
        () => suggestAllocations({ ...ok, source: { kind: "creditMemo", document: INV_9 } }),
        "source.document.type",
      ],
      ["unapplied above the receipt", () => suggestAllocations({ ...ok, unapplied: usd("1000.01") }), "unapplied"],
      ["open items not a list", () => suggestAllocations({ ...ok, openItems: {} as never }), "openItems"],
      [
        "an open amount in another currency",
        () => suggestAllocations({ ...ok, openItems: [{ document: INV_9, open: money("1.00", "EUR") }] }),
        "openItems[0].open",
      ],
      [
        "a negative open amount",
        () => suggestAllocations({ ...ok, openItems: [open(INV_9, "-1.00")] }),
        "openItems[0].open",
      ],
      [
        "the same open item twice",
        () => suggestAllocations({ ...ok, openItems: [open(INV_9), open(INV_9)] }),
        "openItems[1].document.id",
      ],
      [
        "malformed terms on a document",
        () => suggestAllocations({ ...ok, openItems: [open({ ...INV_9, terms: { ...NET_30, netDays: -3 } })] }),
        "openItems[0].document.terms",
      ],
      [
        "a bad payment date",
        () => suggestAllocations({ ...ok, options: { paymentDate: "2026-02-30" as never } }),
        "options.paymentDate",
      ],
      [
        "negative grace days",
        () => suggestAllocations({ ...ok, options: { paymentDate: d("2026-01-15"), graceDays: -1 } }),
        "options.graceDays",
      ],
      [
        "a percent tolerance that is not a decimal",
        () =>
          suggestAllocations({
            ...ok,
            options: { paymentDate: d("2026-01-15"), writeOffTolerance: { percent: "5%" } },
          }),
        "options.writeOffTolerance.percent",
      ],
      [
        "a tolerance in another currency",
        () =>
          suggestAllocations({
            ...ok,
            options: { paymentDate: d("2026-01-15"), writeOffTolerance: { amount: money("1.00", "EUR") } },
          }),
        "options.writeOffTolerance.amount",
      ],
    ];
    for (const [name, run, field] of bad) {
      const error = rejection(run);
      expect({ name, field: error.field }).toEqual({ name, field });
    }
  });

  it("accepts terms parsed from text on documents", () => {
    const eom = anInvoice({
      id: "eom-1",
      number: "E-1",
      amount: "100.00",
      documentDate: "2026-01-20",
      terms: parseTerms("2/10 EOM"),
    });
    // Deadline 2026-01-31 + 10 = 2026-02-10; 2% of 100.00 = 2.00.
    const eomSpec = { source: fromReceipt(aReceipt({ amount: "98.00" })), items: [open(eom)] };
    expect(
      validate({ ...eomSpec, paymentDate: "2026-02-10" }, [{ documentId: "eom-1", amount: "98.00", discount: "2.00" }])
        .ok,
    ).toBe(true);
    expect(
      validate({ ...eomSpec, paymentDate: "2026-02-11" }, [{ documentId: "eom-1", amount: "98.00", discount: "2.00" }])
        .ok,
    ).toBe(false);
  });
});
