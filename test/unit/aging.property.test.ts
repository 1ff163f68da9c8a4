/**
 * Property tests for aging over random ledgers. The oracle here is the
 * definition written out naively (a scan of every row per item), independent
 * of the map-based single pass in shared/aging.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ageOpenItems,
  agingBuckets,
  bucketFor,
  openItemsAsOf,
  summarizeAging,
  type AgedItem,
  type AgingBasis,
  type AgingTotalRow,
} from "../../shared/aging.js";
import type { CurrencyCode } from "../../shared/currency.js";
import { fromDayNumber, toDayNumber, type IsoDate } from "../../shared/dates.js";
import type {
  Application,
  ArDocument,
  LedgerSnapshot,
  Receipt,
  ReceiptReversal,
  WriteOff,
} from "../../shared/ledger.js";
import { Money } from "../../shared/money.js";
import { cur, d } from "../support/builders.js";

const BASE_DAY = toDayNumber(d("2026-01-01"));
const day = (offset: number): IsoDate => fromDayNumber(BASE_DAY + offset);
const CURRENCIES: readonly CurrencyCode[] = [cur("USD"), cur("EUR"), cur("JPY")];
const CUSTOMERS = ["C-1", "C-2", "C-3"] as const;

const pick = <T>(list: readonly T[], index: number): T => list[index % list.length]!;

const documentSpec = fc.record({
  type: fc.constantFrom<ArDocument["type"]>("invoice", "debitMemo", "creditMemo"),
  customer: fc.nat(),
  currency: fc.nat(),
  day: fc.integer({ min: 0, max: 200 }),
  dueIn: fc.integer({ min: 0, max: 90 }),
  amount: fc.integer({ min: 1, max: 500_000 }),
  disputed: fc.boolean(),
});
const receiptSpec = fc.record({
  customer: fc.nat(),
  currency: fc.nat(),
  day: fc.integer({ min: 0, max: 200 }),
  amount: fc.integer({ min: 1, max: 500_000 }),
});
const applicationSpec = fc.record({
  source: fc.nat(),
  target: fc.nat(),
  after: fc.integer({ min: 0, max: 60 }),
  amount: fc.integer({ min: 0, max: 200_000 }),
  discount: fc.integer({ min: 0, max: 2_000 }),
  writeOff: fc.integer({ min: 0, max: 500 }),
  reversedAfter: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
});
const writeOffSpec = fc.record({
  target: fc.nat(),
  after: fc.integer({ min: 0, max: 90 }),
  amount: fc.integer({ min: 1, max: 5_000 }),
});
const receiptReversalSpec = fc.record({ target: fc.nat(), after: fc.integer({ min: 0, max: 60 }) });

/** A random but well-formed ledger: applications stay within one currency and never predate their rows. */
const ledgerArbitrary: fc.Arbitrary<LedgerSnapshot> = fc
  .record({
    documents: fc.array(documentSpec, { maxLength: 25 }),
    receipts: fc.array(receiptSpec, { maxLength: 12 }),
    applications: fc.array(applicationSpec, { maxLength: 30 }),
    writeOffs: fc.array(writeOffSpec, { maxLength: 6 }),
    receiptReversals: fc.array(receiptReversalSpec, { maxLength: 4 }),
  })
  .map((spec) => {
    const documents: ArDocument[] = spec.documents.map((s, i) => {
      const currency = pick(CURRENCIES, s.currency);
      return {
        id: `doc-${i}`,
        customerId: pick(CUSTOMERS, s.customer),
        type: s.type,
        number: `N${i}`,
        documentDate: day(s.day),
        dueDate: day(s.day + s.dueIn),
        currency,
        amount: Money.fromMinor(BigInt(s.amount), currency),
        terms: null,
        disputed: s.disputed,
      };
    });
    const receipts: Receipt[] = spec.receipts.map((s, i) => {
      const currency = pick(CURRENCIES, s.currency);
      return {
        id: `rcpt-${i}`,
        customerId: pick(CUSTOMERS, s.customer),
        date: day(s.day),
        currency,
        amount: Money.fromMinor(BigInt(s.amount), currency),
        method: "check",
        reference: `CHK ${i}`,
      };
    });
    const credits = documents.filter((doc) => doc.type === "creditMemo");
    const targets = documents.filter((doc) => doc.type !== "creditMemo");
    const sources: (Receipt | ArDocument)[] = [...receipts, ...credits];
    const dateOf = (row: Receipt | ArDocument): IsoDate => ("method" in row ? row.date : row.documentDate);

    const applications: Application[] = [];
    spec.applications.forEach((s, i) => {
      if (sources.length === 0 || targets.length === 0) return;
      const source = pick(sources, s.source);
      const sameCurrency = targets.filter((t) => t.currency === source.currency);
      if (sameCurrency.length === 0) return;
      const target = pick(sameCurrency, s.target);
      const start = Math.max(toDayNumber(dateOf(source)), toDayNumber(target.documentDate)) - BASE_DAY;
      const m = (minor: number): Money => Money.fromMinor(BigInt(minor), source.currency);
      const row: Application = {
        id: `app-${i}`,
        source: "method" in source ? { kind: "receipt", id: source.id } : { kind: "creditMemo", id: source.id },
        documentId: target.id,
        date: day(start + s.after),
        currency: source.currency,
        amount: m(s.amount),
        discount: m(s.discount),
        writeOff: m(s.writeOff),
        writeOffReason: null,
        reversesId: null,
      };
      applications.push(row);
      if (s.reversedAfter !== null) {
        applications.push({
          ...row,
          id: `app-${i}-rev`,
          date: day(start + s.after + s.reversedAfter),
          amount: row.amount.negate(),
          discount: row.discount.negate(),
          writeOff: row.writeOff.negate(),
          reversesId: row.id,
        });
      }
    });
    const writeOffs: WriteOff[] =
      documents.length === 0
        ? []
        : spec.writeOffs.map((s, i) => {
            const target = pick(documents, s.target);
            return {
              id: `wo-${i}`,
              documentId: target.id,
              date: day(toDayNumber(target.documentDate) - BASE_DAY + s.after),
              currency: target.currency,
              amount: Money.fromMinor(BigInt(s.amount), target.currency),
              reason: "small balance",
              reversesId: null,
            };
          });
    const receiptReversals: ReceiptReversal[] =
      receipts.length === 0
        ? []
        : spec.receiptReversals.map((s, i) => {
            const target = pick(receipts, s.target);
            return {
              id: `rr-${i}`,
              receiptId: target.id,
              date: day(toDayNumber(target.date) - BASE_DAY + s.after),
              reason: "NSF",
            };
          });
    return { documents, receipts, applications, writeOffs, receiptReversals };
  });

const asOfArbitrary = fc.integer({ min: -5, max: 320 }).map(day);
const basisArbitrary = fc.constantFrom<AgingBasis>("due", "document");
const edgesArbitrary = fc
  .uniqueArray(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 })
  .map((edges) => [...edges].sort((a, b) => a - b));

/** The definition, naively: open amount as of D of every row that should be an item, signed. */
function expectedOpen(ledger: LedgerSnapshot, asOf: IsoDate): Map<string, Money> {
  const expected = new Map<string, Money>();
  for (const doc of ledger.documents) {
    if (doc.documentDate > asOf) continue;
    let open = doc.amount;
    for (const app of ledger.applications) {
      if (app.date > asOf) continue;
      if (doc.type !== "creditMemo" && app.documentId === doc.id) {
        open = open.subtract(app.amount).subtract(app.discount).subtract(app.writeOff);
      }
      if (doc.type === "creditMemo" && app.source.kind === "creditMemo" && app.source.id === doc.id) {
        open = open.subtract(app.amount);
      }
    }
    for (const writeOff of ledger.writeOffs) {
      if (writeOff.documentId === doc.id && writeOff.date <= asOf) open = open.subtract(writeOff.amount);
    }
    if (!open.isZero()) expected.set(`document:${doc.id}`, doc.type === "creditMemo" ? open.negate() : open);
  }
  for (const receipt of ledger.receipts) {
    if (receipt.date > asOf) continue;
    if (ledger.receiptReversals.some((r) => r.receiptId === receipt.id && r.date <= asOf)) continue;
    let open = receipt.amount;
    for (const app of ledger.applications) {
      if (app.date <= asOf && app.source.kind === "receipt" && app.source.id === receipt.id)
        open = open.subtract(app.amount);
    }
    if (!open.isZero()) expected.set(`receipt:${receipt.id}`, open.negate());
  }
  return expected;
}

function sumOf(items: readonly AgedItem[], currency: CurrencyCode): Money {
  return Money.sum(
    items.filter((i) => i.currency === currency).map((i) => i.openAmount),
    currency,
  );
}

function rowFor(rows: readonly AgingTotalRow[], currency: CurrencyCode): AgingTotalRow | undefined {
  return rows.find((r) => r.currency === currency);
}

describe("aging properties over random ledgers", () => {
  it("open(D) = amount − applications − credits − write-offs, for every document and receipt; nothing else is open", () => {
    fc.assert(
      fc.property(ledgerArbitrary, asOfArbitrary, (ledger, asOf) => {
        const items = openItemsAsOf(ledger, { asOf });
        const actual = new Map(
          items.map((i) => [`${i.kind === "unappliedCash" ? "receipt" : "document"}:${i.id}`, i.openAmount]),
        );
        const expected = expectedOpen(ledger, asOf);
        expect(actual.size).toBe(items.length);
        expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, open] of expected) {
          expect(actual.get(key)?.toString(), key).toBe(open.toString());
          expect(actual.get(key)?.currency, key).toBe(open.currency);
        }
      }),
    );
  });

  it("items dated after D never appear, and every item keeps its row's facts", () => {
    fc.assert(
      fc.property(ledgerArbitrary, asOfArbitrary, (ledger, asOf) => {
        const documents = new Map(ledger.documents.map((doc) => [doc.id, doc]));
        const receipts = new Map(ledger.receipts.map((r) => [r.id, r]));
        for (const item of openItemsAsOf(ledger, { asOf })) {
          expect(item.date <= asOf).toBe(true);
          if (item.kind === "unappliedCash") {
            const receipt = receipts.get(item.id)!;
            expect(item.date).toBe(receipt.date);
            expect(item.dueDate).toBe(receipt.date);
            expect(item.originalAmount.toString()).toBe(receipt.amount.negate().toString());
          } else {
            const doc = documents.get(item.id)!;
            expect(item.kind).toBe(doc.type);
            expect(item.customerId).toBe(doc.customerId);
            expect(item.date).toBe(doc.documentDate);
            expect(item.dueDate).toBe(doc.type === "creditMemo" ? doc.documentDate : doc.dueDate);
            expect(item.disputed).toBe(doc.disputed);
            expect(item.originalAmount.toString()).toBe(
              (doc.type === "creditMemo" ? doc.amount.negate() : doc.amount).toString(),
            );
          }
        }
      }),
    );
  });

  it("days follow the basis and every item sits in the bucket whose range holds its days", () => {
    fc.assert(
      fc.property(ledgerArbitrary, asOfArbitrary, basisArbitrary, edgesArbitrary, (ledger, asOf, basis, edges) => {
        const buckets = agingBuckets(edges, basis);
        for (const item of ageOpenItems(openItemsAsOf(ledger, { asOf }), { asOf, basis, edges })) {
          const from = basis === "due" ? item.dueDate : item.date;
          expect(item.days).toBe(toDayNumber(asOf) - toDayNumber(from));
          const holding = buckets.filter(
            (b) => (b.minDays === null || item.days >= b.minDays) && (b.maxDays === null || item.days <= b.maxDays),
          );
          expect(holding.map((b) => b.key)).toEqual([item.bucket]);
        }
      }),
    );
  });

  it("summary totals per currency equal the sum of the items; each bucket equals the sum of its items", () => {
    fc.assert(
      fc.property(
        ledgerArbitrary,
        asOfArbitrary,
        basisArbitrary,
        edgesArbitrary,
        fc.boolean(),
        (ledger, asOf, basis, edges, excludeDisputed) => {
          const aged = ageOpenItems(openItemsAsOf(ledger, { asOf }), { asOf, basis, edges });
          const summary = summarizeAging(aged, { excludeDisputed, basis, edges });
          const counted = excludeDisputed ? aged.filter((i) => !i.disputed) : aged;
          const keys = agingBuckets(edges, basis).map((b) => b.key);

          const currencies = new Set(counted.map((i) => i.currency));
          expect(summary.totals.map((r) => r.currency)).toEqual([...currencies].sort());
          for (const currency of currencies) {
            const row = rowFor(summary.totals, currency)!;
            expect(row.total.toString()).toBe(sumOf(counted, currency).toString());
            expect(Object.keys(row.buckets)).toEqual(keys);
            for (const key of keys) {
              const inBucket = counted.filter((i) => i.bucket === key);
              expect(row.buckets[key]?.toString()).toBe(sumOf(inBucket, currency).toString());
            }
          }

          // Customer rows: one per (customer, currency) pair, each bucket the sum of that pair's items.
          const pairs = new Set(counted.map((i) => `${i.customerId}|${i.currency}`));
          expect(summary.customers.length).toBe(pairs.size);
          for (const row of summary.customers) {
            const mine = counted.filter((i) => i.customerId === row.customerId && i.currency === row.currency);
            expect(row.itemCount).toBe(mine.length);
            expect(row.total.toString()).toBe(sumOf(mine, row.currency).toString());
            for (const key of keys) {
              expect(row.buckets[key]?.toString()).toBe(
                sumOf(
                  mine.filter((i) => i.bucket === key),
                  row.currency,
                ).toString(),
              );
            }
          }

          // Disputed items: reported per currency either way.
          const disputed = aged.filter((i) => i.disputed);
          for (const currency of new Set(disputed.map((i) => i.currency))) {
            expect(rowFor(summary.disputed, currency)?.total.toString()).toBe(sumOf(disputed, currency).toString());
          }
          expect(summary.disputed.length).toBe(new Set(disputed.map((i) => i.currency)).size);
        },
      ),
    );
  });

  it("excluding disputed items removes exactly the disputed total from each currency", () => {
    fc.assert(
      fc.property(ledgerArbitrary, asOfArbitrary, (ledger, asOf) => {
        const aged = ageOpenItems(openItemsAsOf(ledger, { asOf }), { asOf });
        const all = summarizeAging(aged);
        const kept = summarizeAging(aged, { excludeDisputed: true });
        for (const row of all.totals) {
          const keptTotal = rowFor(kept.totals, row.currency)?.total ?? Money.zero(row.currency);
          const disputedTotal = rowFor(kept.disputed, row.currency)?.total ?? Money.zero(row.currency);
          expect(keptTotal.add(disputedTotal).toString()).toBe(row.total.toString());
        }
      }),
    );
  });
});

describe("bucket properties", () => {
  it("buckets cover every age exactly once, in order, and bucketFor finds the covering one", () => {
    fc.assert(
      fc.property(edgesArbitrary, basisArbitrary, fc.integer({ min: -400, max: 400 }), (edges, basis, days) => {
        const buckets = agingBuckets(edges, basis);
        expect(buckets.length).toBe(edges.length + (basis === "due" ? 2 : 1));
        // Contiguous: each bucket starts the day after the previous one ends.
        for (let i = 1; i < buckets.length; i++) {
          expect(buckets[i]!.minDays).toBe(buckets[i - 1]!.maxDays! + 1);
        }
        expect(buckets[0]!.minDays).toBe(basis === "due" ? null : 0);
        expect(buckets.at(-1)!.maxDays).toBeNull();
        if (basis === "document" && days < 0) {
          expect(() => bucketFor(days, edges, basis)).toThrow(/negative/);
          return;
        }
        const covering = buckets.filter(
          (b) => (b.minDays === null || days >= b.minDays) && (b.maxDays === null || days <= b.maxDays),
        );
        expect(covering.map((b) => b.key)).toEqual([bucketFor(days, edges, basis)]);
      }),
    );
  });
});
