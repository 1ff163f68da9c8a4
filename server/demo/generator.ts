/**
 * The demo generator: a realistic, deterministic AR ledger as a stream of
 * change sets (so demo data goes through the same validation, GL postings
 * and audit as real work). Same size and seed → same ids and change-set ids,
 * so seeding twice replays instead of doubling.
 *
 * Sizes are counted in open items: small 10,000; medium 100,000; large 1,000,000.
 */
import type { ChangeSet, Operation } from "../../shared/changeset.js";
import { addDays, type IsoDate } from "../../shared/dates.js";
import { Money } from "../../shared/money.js";
import { dueDate, parseTerms } from "../../shared/terms.js";

export type DemoSize = "tiny" | "small" | "medium" | "large";
export const DEMO_SIZES: Record<DemoSize, number> = { tiny: 200, small: 10_000, medium: 100_000, large: 1_000_000 };

/** mulberry32: a small, fast, seeded PRNG (not for secrets). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay", "Wonka", "Oceanic", "Aperture", "Gringotts", "Monarch", "Pied Piper"];
const SECOND = ["Industrial", "Trading", "Foods", "Logistics", "Supply", "Medical", "Energy", "Outfitters", "Systems", "Textiles", "Hardware", "Pharma", "Marine", "Retail", "Labs"];
const SUFFIX = ["Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Co.", "Group", "Corp."];
const COLLECTORS = ["ana.lopez", "ben.okafor", "chen.wei", "dana.kovacs", "eli.haddad"];
const TERMS = ["NET 30", "NET 30", "NET 30", "2/10 NET 30", "2/10 NET 30", "NET 60", "NET 10 EOM", "NET 45", "DUE ON RECEIPT"];
const CURRENCIES = ["USD", "USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP", "JPY", "CAD"];
const NOTES = [
  "Left voicemail for AP; will call back Thursday.",
  "Customer says invoice was sent to the wrong address; resent PDF.",
  "AP confirmed invoice is approved for the next payment run.",
  "Asked for a copy of the proof of delivery.",
  "Spoke with controller; payment scheduled.",
];

const pad = (n: number, width = 6) => String(n).padStart(width, "0");

export interface DemoOptions {
  readonly size: DemoSize;
  readonly today: IsoDate;
  readonly seed?: number;
  /** Operations per change set. */
  readonly batch?: number;
}

/** Minor units to a decimal string in the currency (JPY has no decimals). */
function amountText(minor: bigint, currency: string): string {
  return Money.fromMinor(minor, currency).toString();
}

export function* demoChangeSets(options: DemoOptions): Generator<ChangeSet> {
  const random = seededRandom(options.seed ?? 20261123);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const batchSize = options.batch ?? 5_000;
  const openTarget = DEMO_SIZES[options.size];
  const customerCount = Math.max(12, Math.min(20_000, Math.round(openTarget / 150)));
  let setNo = 0;
  let ops: Operation[] = [];
  const flush = function* (): Generator<ChangeSet> {
    if (ops.length === 0) return;
    setNo += 1;
    yield { id: `demo-${options.size}-${pad(setNo, 5)}`, operations: ops };
    ops = [];
  };

  const customers: { id: string; currency: string; terms: string }[] = [];
  for (let i = 1; i <= customerCount; i++) {
    const currency = i <= 3 ? "USD" : pick(CURRENCIES);
    const terms = pick(TERMS);
    const id = `demo-cust-${pad(i)}`;
    customers.push({ id, currency, terms });
    ops.push({
      op: "customer.upsert",
      id,
      number: `C${pad(i)}`,
      name: `${pick(FIRST)} ${pick(SECOND)} ${pick(SUFFIX)}${i > FIRST.length * SECOND.length ? ` ${i}` : ""}`,
      currency: currency,
      terms,
      creditLimit: amountText(BigInt(Math.round(5 + random() * 95)) * 1_000_00n, currency),
      collector: COLLECTORS[i % COLLECTORS.length] ?? null,
      onHold: random() < 0.03,
    });
    if (ops.length >= batchSize) yield* flush();
  }
  yield* flush();

  // Invoices: each either stays open, is partly paid, or is paid in full (then it is not an open item,
  // so a few more are made). Credit memos and unapplied cash are open items too.
  let invoiceNo = 0;
  let receiptNo = 0;
  let openItems = 0;
  while (openItems < openTarget) {
    const customer = customers[Math.floor(random() * customers.length)] ?? customers[0];
    if (customer === undefined) break;
    const currency = customer.currency;
    const scale = currency === "JPY" ? 1n : 100n;
    const documentDate = addDays(options.today, -Math.floor(random() * random() * 240));
    const major = BigInt(Math.round(Math.exp(4 + random() * 6)));
    const cents = currency === "JPY" ? 0n : BigInt(Math.floor(random() * 100));
    const amount = major * scale + cents;
    invoiceNo += 1;
    const id = `demo-inv-${pad(invoiceNo, 7)}`;
    const roll = random();
    if (roll < 0.03) {
      ops.push({ op: "creditMemo.create", id: `demo-cm-${pad(invoiceNo, 7)}`, customerId: customer.id, number: `CM-${pad(invoiceNo, 7)}`, documentDate, amount: amountText(amount / 10n + 1n, currency), currency: currency, memo: "Pricing adjustment" });
      openItems += 1;
    } else {
      ops.push({ op: "invoice.create", id, customerId: customer.id, number: `INV-${pad(invoiceNo, 7)}`, documentDate, amount: amountText(amount, currency), currency: currency });
      const due = dueDate(parseTerms(customer.terms), documentDate);
      const payDate = addDays(due, Math.floor(random() * 40) - 25);
      if (roll < 0.2 && payDate <= options.today && payDate >= documentDate) {
        receiptNo += 1;
        const full = roll < 0.14;
        const paid = full ? amount : (amount * BigInt(20 + Math.floor(random() * 60))) / 100n;
        ops.push({
          op: "receipt.create",
          id: `demo-rcpt-${pad(receiptNo, 7)}`,
          customerId: customer.id,
          date: payDate,
          amount: amountText(paid, currency),
          currency: currency,
          method: pick(["check", "ach", "wire", "ach"] as const),
          reference: `${full ? "INV" : "PART INV"}-${pad(invoiceNo, 7)}`,
          applications: [{ documentId: id, amount: amountText(paid, currency) }],
        });
        if (!full) openItems += 1;
      } else {
        openItems += 1;
        if (roll > 0.985) ops.push({ op: "dispute.open", id: `demo-dsp-${pad(invoiceNo, 7)}`, documentId: id, reasonCode: pick(["pricing", "quantity", "damagedGoods", "notReceived"] as const), amount: amountText(amount / 4n + 1n, currency), note: "Customer disputes part of this invoice." });
        if (roll > 0.96 && roll <= 0.985) ops.push({ op: "note.create", id: `demo-note-${pad(invoiceNo, 7)}`, customerId: customer.id, documentId: id, kind: "call", body: pick(NOTES) });
      }
      if (roll > 0.2 && roll < 0.215 && documentDate <= options.today) {
        receiptNo += 1;
        ops.push({ op: "receipt.create", id: `demo-rcpt-${pad(receiptNo, 7)}`, customerId: customer.id, date: documentDate, amount: amountText(amount / 3n + 1n, currency), currency: currency, method: "ach", reference: `REMIT ${customer.id.slice(-4)} ${pad(receiptNo, 7)}` });
        openItems += 1;
      }
    }
    if (ops.length >= batchSize) yield* flush();
  }
  yield* flush();
}
