import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  suggestAllocations,
  validateAllocations,
  type Allocation,
  type AllocationRequest,
  type ApplicationOptions,
  type ApplicationSource,
  type CashApplicationInput,
  type OpenItemForApplication,
} from "../../shared/cash-application.js";
import { addDays } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import { parseTerms, type PaymentTerms } from "../../shared/terms.js";
import { aCreditMemo, anInvoice, aReceipt, d } from "../support/builders.js";

const TERMS: (PaymentTerms | null)[] = [
  null,
  parseTerms("NET 30"),
  parseTerms("2/10 NET 30"),
  parseTerms("1.5/15 NET 45 EOM"),
  // A large percent makes the discount round up to the whole of a one-unit balance.
  parseTerms("50/10 NET 30"),
];
const START = d("2025-12-01");

const itemSpec = fc.record({
  amountMinor: fc.bigInt({ min: 1n, max: 500_000n }),
  openShare: fc.integer({ min: 0, max: 100 }),
  terms: fc.integer({ min: 0, max: TERMS.length - 1 }),
  documentOffset: fc.integer({ min: 0, max: 60 }),
  dueAfter: fc.integer({ min: 0, max: 45 }),
  customer: fc.constantFrom("C-1", "C-1", "C-1", "C-2"),
  type: fc.constantFrom("invoice", "invoice", "debitMemo", "creditMemo"),
  disputed: fc.boolean(),
  // About one item in ten is in another currency: never applied, always refused.
  otherCurrency: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const scenario = fc.record({
  currency: fc.constantFrom("USD", "JPY", "KWD"),
  items: fc.array(itemSpec, { maxLength: 8 }),
  amount: fc.oneof(
    fc.record({ kind: fc.constant("random" as const), minor: fc.bigInt({ min: 1n, max: 2_000_000n }) }),
    fc.record({ kind: fc.constant("item" as const), index: fc.nat(), delta: fc.integer({ min: -5, max: 5 }) }),
    fc.record({ kind: fc.constant("discounted" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("total" as const), delta: fc.integer({ min: -5, max: 5 }) }),
  ),
  unappliedShare: fc.option(fc.integer({ min: 0, max: 100 })),
  reference: fc.array(fc.record({ index: fc.nat(), style: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
  creditMemoSource: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  paymentOffset: fc.integer({ min: 0, max: 100 }),
  graceDays: fc.option(fc.integer({ min: 0, max: 5 })),
  toleranceMinor: fc.option(fc.bigInt({ min: 0n, max: 2_000n })),
  tolerancePercent: fc.option(fc.constantFrom("0", "0.5", "1", "2.5")),
  limitMinor: fc.option(fc.bigInt({ min: 0n, max: 1_500n })),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Builds the plain-data input a scenario describes. */
function build(s: Scenario): CashApplicationInput {
  const items: OpenItemForApplication[] = s.items.map((spec, i) => {
    const currency = spec.otherCurrency ? (s.currency === "USD" ? "EUR" : "USD") : s.currency;
    const amount = Money.fromMinor(spec.amountMinor, currency);
    const documentDate = addDays(START, spec.documentOffset);
    const document = (spec.type === "creditMemo" ? aCreditMemo : anInvoice)({
      id: `doc-${i}`,
      number: `INV-${1000 + i}`,
      customerId: spec.customer,
      currency,
      amount: amount.toString(),
      documentDate,
      dueDate: addDays(documentDate, spec.dueAfter),
      terms: TERMS[spec.terms] ?? null,
      disputed: spec.disputed,
    });
    const openMinor = (spec.amountMinor * BigInt(spec.openShare)) / 100n;
    return { document, open: Money.fromMinor(openMinor, currency) };
  });
  const paymentDate = addDays(START, s.paymentOffset);

  // Amounts near the interesting edges: one item's open amount (± a few units), that amount less
  // 2%, or everything open (± a few units, where the last item is paid short or over).
  let amountMinor: bigint;
  const choice = s.amount;
  const target = items[("index" in choice ? choice.index : 0) % Math.max(items.length, 1)];
  if (choice.kind === "random") {
    amountMinor = choice.minor;
  } else if (choice.kind === "total") {
    const sameCurrency = items.filter((i) => i.open.currency === s.currency);
    amountMinor = sameCurrency.reduce((sum, i) => sum + i.open.toMinor(), 0n) + BigInt(choice.delta);
  } else if (target === undefined) {
    amountMinor = 1000n;
  } else if (choice.kind === "item") {
    amountMinor = target.open.toMinor() + BigInt(choice.delta);
  } else {
    amountMinor = (target.open.toMinor() * 98n) / 100n;
  }
  if (amountMinor < 1n) amountMinor = 1n;
  const amount = Money.fromMinor(amountMinor, s.currency);

  const styles = [
    (n: number) => `INV-${n}`,
    (n: number) => `#${n}`,
    (n: number) => `inv 00${n}`,
    (n: number) => `${n}`,
  ];
  const reference = s.reference
    .map(({ index, style }) => (styles[style] ?? String)(1000 + (index % Math.max(items.length, 1))))
    .join(", ");

  const source: ApplicationSource = s.creditMemoSource
    ? {
        kind: "creditMemo",
        document: aCreditMemo({ id: "source-cm", customerId: "C-1", currency: s.currency, amount: amount.toString() }),
        remittance: reference,
      }
    : {
        kind: "receipt",
        receipt: aReceipt({
          id: "source-r",
          customerId: "C-1",
          currency: s.currency,
          amount: amount.toString(),
          reference,
        }),
      };

  const tolerance: { amount?: Money; percent?: string } = {};
  if (s.toleranceMinor !== null) tolerance.amount = Money.fromMinor(s.toleranceMinor, s.currency);
  if (s.tolerancePercent !== null) tolerance.percent = s.tolerancePercent;
  const options: { -readonly [K in keyof ApplicationOptions]: ApplicationOptions[K] } = { paymentDate };
  if (s.graceDays !== null) options.graceDays = s.graceDays;
  if (s.toleranceMinor !== null || s.tolerancePercent !== null) options.writeOffTolerance = tolerance;
  if (s.limitMinor !== null) options.writeOffLimit = Money.fromMinor(s.limitMinor, s.currency);

  const base = { source, openItems: items, options };
  if (s.unappliedShare === null) return base;
  return { ...base, unapplied: Money.fromMinor((amountMinor * BigInt(s.unappliedShare)) / 100n, s.currency) };
}

const plain = (a: Allocation) => ({
  documentId: a.documentId,
  amount: a.amount.toString(),
  discount: a.discount.toString(),
  writeOff: a.writeOff.toString(),
  writeOffReason: a.writeOffReason,
});

function sourceAmount(input: CashApplicationInput): Money {
  return input.source.kind === "receipt" ? input.source.receipt.amount : input.source.document.amount;
}

/** The invariants every accepted or suggested set of allocations must keep. */
function expectWithinLimits(input: CashApplicationInput, allocations: readonly Allocation[]): void {
  const currency = sourceAmount(input).currency;
  const unapplied = input.unapplied ?? sourceAmount(input);
  const customerId =
    input.source.kind === "receipt" ? input.source.receipt.customerId : input.source.document.customerId;
  const seen = new Set<string>();
  for (const allocation of allocations) {
    const item = input.openItems.find((i) => i.document.id === allocation.documentId);
    expect(item).toBeDefined();
    if (item === undefined) continue;
    expect(seen.has(allocation.documentId)).toBe(false);
    seen.add(allocation.documentId);
    expect(item.document.customerId).toBe(customerId);
    expect(item.document.currency).toBe(currency);
    expect(item.document.type).not.toBe("creditMemo");
    expect(allocation.amount.isPositive()).toBe(true);
    expect(allocation.discount.isNegative()).toBe(false);
    expect(allocation.writeOff.isNegative()).toBe(false);
    if (input.source.kind === "creditMemo") expect(allocation.discount.isZero()).toBe(true);
    const settled = allocation.amount.add(allocation.discount).add(allocation.writeOff);
    expect(
      settled.lte(item.open),
      `${allocation.documentId}: ${settled.toString()} > open ${item.open.toString()}`,
    ).toBe(true);
    if (input.options.writeOffLimit !== undefined)
      expect(allocation.writeOff.lte(input.options.writeOffLimit)).toBe(true);
  }
  const applied = Money.sum(
    allocations.map((a) => a.amount),
    currency,
  );
  expect(applied.lte(unapplied), `applied ${applied.toString()} > unapplied ${unapplied.toString()}`).toBe(true);
}

describe("cash application properties", () => {
  it("suggestions never exceed the receipt or any open amount, and account for every unit", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const suggestion = suggestAllocations(input);
        expectWithinLimits(input, suggestion.allocations);
        const currency = sourceAmount(input).currency;
        const applied = Money.sum(
          suggestion.allocations.map((a) => a.amount),
          currency,
        );
        // applied + unapplied = what the source had to apply, to the minor unit
        expect(applied.add(suggestion.unapplied).toString()).toBe((input.unapplied ?? sourceAmount(input)).toString());
        expect(suggestion.unapplied.isNegative()).toBe(false);
        expect(suggestion.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it("validateAllocations accepts every suggestion it produced, unchanged", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = build(s);
        const suggestion = suggestAllocations(input);
        const result = validateAllocations({ ...input, allocations: suggestion.allocations });
        expect(result.ok ? [] : result.errors).toEqual([]);
        if (result.ok) {
          expect(result.allocations.map(plain)).toEqual(suggestion.allocations.map(plain));
        }
        // The same allocations typed as decimal strings are accepted too.
        const typed: AllocationRequest[] = suggestion.allocations.map((a) => ({
          documentId: a.documentId,
          amount: a.amount.toString(),
          discount: a.discount.toString(),
          writeOff: a.writeOff.toString(),
          writeOffReason: a.writeOffReason,
        }));
        expect(validateAllocations({ ...input, allocations: typed }).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("whatever a clerk types, accepted allocations never over-apply", () => {
    const requests = fc.array(
      fc.record({
        index: fc.nat(),
        amountMinor: fc.bigInt({ min: -100n, max: 600_000n }),
        discountMinor: fc.bigInt({ min: 0n, max: 20_000n }),
        writeOffMinor: fc.bigInt({ min: 0n, max: 2_000n }),
        reason: fc.boolean(),
      }),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(scenario, requests, (s, raw) => {
        const input = build(s);
        const currency = sourceAmount(input).currency;
        const allocations: AllocationRequest[] = raw.map((r) => ({
          documentId: `doc-${r.index % Math.max(input.openItems.length, 1)}`,
          amount: Money.fromMinor(r.amountMinor, currency).toString(),
          discount: Money.fromMinor(r.discountMinor, currency).toString(),
          writeOff: Money.fromMinor(r.writeOffMinor, currency).toString(),
          writeOffReason: r.reason ? "small balance" : null,
        }));
        const result = validateAllocations({ ...input, allocations });
        if (result.ok) {
          expectWithinLimits(input, result.allocations);
        } else {
          for (const error of result.errors) {
            expect(error.index).toBeGreaterThanOrEqual(0);
            expect(error.index).toBeLessThan(allocations.length);
            expect(error.message).not.toBe("");
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
